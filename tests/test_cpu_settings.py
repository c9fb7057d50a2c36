"""The CPU settings `course.py test` runs the notebooks under really change the kernels.

numpy's SIMD level and OpenBLAS's core are chosen when they load, from the
environment; a setting that silently did nothing would make the cross-CPU
runs of the notebooks prove nothing. Each forced setting is applied in a fresh
interpreter and read back from numpy and threadpoolctl.
"""

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from course_script import load_course

COURSE = load_course()
SETTINGS = {name: (extra, needs) for name, _, extra, needs in COURSE.CPU_SETTINGS}

PROBE = """
import json
from numpy._core._multiarray_umath import __cpu_features__ as features
from threadpoolctl import threadpool_info
blas = [i for i in threadpool_info() if i.get("user_api") == "blas"][0]
print(json.dumps({"features": features, "architecture": blas.get("architecture"),
                  "threads": blas.get("num_threads")}))
"""


def probe(extra):
    env = COURSE.venv_env(**extra)
    env.pop("COURSE_CPU_SETTINGS", None)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def test_the_three_settings_of_the_issue_are_there():
    assert list(SETTINGS) == ["native", "avx2", "baseline"]
    assert SETTINGS["native"] == ({}, ())
    assert "X86_V4" in SETTINGS["avx2"][0]["NPY_DISABLE_CPU_FEATURES"].split()
    assert "X86_V3" in SETTINGS["baseline"][0]["NPY_DISABLE_CPU_FEATURES"].split()
    assert SETTINGS["baseline"][0]["OPENBLAS_NUM_THREADS"] == "1"


needs_x86 = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                               reason="the forced settings are x86-64 kernels")


@needs_x86
@pytest.mark.parametrize("name, disabled, architecture", [
    ("avx2", ("X86_V4",), "haswell"),
    ("baseline", ("X86_V3", "X86_V4"), "sandybridge"),
])
def test_a_forced_setting_reaches_numpy_and_openblas(name, disabled, architecture):
    extra, needs = SETTINGS[name]
    native = probe({})
    if not all(native["features"].get(feature) for feature in needs):
        pytest.skip("this CPU lacks %s" % (needs,))
    forced = probe(extra)
    for feature in disabled:
        assert not forced["features"].get(feature), (feature, forced["features"])
    assert forced["architecture"].lower() == architecture
    if "OPENBLAS_NUM_THREADS" in extra:
        assert forced["threads"] == int(extra["OPENBLAS_NUM_THREADS"])


def test_course_cpu_settings_narrows_the_list(monkeypatch):
    monkeypatch.setenv("COURSE_CPU_SETTINGS", "native")
    chosen, skipped = COURSE.cpu_settings_to_run(Path(sys.executable))
    assert [name for name, _, _ in chosen] == ["native"] and skipped == []
    monkeypatch.setenv("COURSE_CPU_SETTINGS", "native,avx-512")
    with pytest.raises(SystemExit, match="avx-512"):
        COURSE.cpu_settings_to_run(Path(sys.executable))
