#!/usr/bin/env python3
"""Set up, run, test and package the EM-for-Gaussian-mixtures course.

Usage (from the repository root; on Windows use `py` instead of `python3`):

    python3 course.py setup                   create .venv and install everything
    python3 course.py lab [args...]           setup, then open notebooks/ in JupyterLab
    python3 course.py test [pytest args...]   setup, then unit tests + every notebook (strict nbval)
    python3 course.py execute [notebook...]   setup, then re-execute notebooks in place
    python3 course.py assignments DIR [notebook...]
                                              setup, then write an nbgrader course folder
                                              (graded assignments from the exercises)
    python3 course.py bench                   setup, then run every bench/*.py
    python3 course.py book [--output DIR]     setup, then build the course website
                                              (every notebook executed; default _build/book)

Only the Python standard library is used here, so this file runs before
anything is installed.
"""

import sys

if sys.version_info < (3, 10):
    sys.exit(
        "This course needs Python 3.10 or newer; this is Python %d.%d (%s).\n"
        "Install a newer Python and run this script with it."
        % (sys.version_info[0], sys.version_info[1], sys.executable)
    )

import argparse
import ast
import collections
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
NOTEBOOKS = ROOT / "notebooks"
LOCK = ROOT / "requirements" / "lock.txt"
PYPROJECT = ROOT / "pyproject.toml"
STAMP = VENV / "course-setup.stamp"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
BOOK = ROOT / "book"
BOOK_OUTPUT = ROOT / "_build" / "book"

KERNEL_NAME = "python3"  # the name stored in the notebooks' metadata
KERNEL_DISPLAY_NAME = "Python 3 (emlib course)"
CELL_TIMEOUT = 120  # seconds, per cell, for `execute`
SOLUTION_TAG = "solution"

# Notebooks always run with the inline backend, as in JupyterLab, so that the
# outputs stored in them are reproduced exactly (an MPLBACKEND=Agg set for
# headless runs would otherwise reach the kernels and drop every figure).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

# What setup asks pip to install: emlib (editable) with every extra, every
# version fixed by the lock. environment.yml's `pip:` section is these same
# arguments (tests/test_environment.py checks it), so conda installs the same.
PIP_INSTALL_ARGS = ["-c", "requirements/lock.txt", "-e", ".[dev]"]


# --------------------------------------------------------------------------
# helpers


def venv_python():
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def venv_env(**extra):
    """The environment of a command run 'inside' the venv (as if activated)."""
    env = dict(os.environ)
    bindir = venv_python().parent
    env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    env.pop("PYTHONHOME", None)
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    env.update(extra)
    return env


def show(cmd, env_note=""):
    """Print a command the way one would type it."""
    if os.name == "nt":
        text = subprocess.list2cmdline([str(c) for c in cmd])
    else:
        text = " ".join(shlex.quote(str(c)) for c in cmd)
    print("+ " + env_note + text, flush=True)


def run(cmd, env=None, check=True, env_note="", cwd=ROOT):
    """Print, then run a command (from the repository root by default); return its exit code."""
    show(cmd, env_note)
    code = subprocess.call([str(c) for c in cmd], cwd=cwd, env=env)
    if check and code != 0:
        sys.exit("course.py: command failed with exit code %d" % code)
    return code


def notebook_env(**extra):
    return venv_env(MPLBACKEND=INLINE_BACKEND, **extra)


def requirements_hash():
    h = hashlib.sha256()
    for path in (PYPROJECT, LOCK):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def kernel_json():
    return VENV / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"


# IPython reads this file for every kernel started from .venv (sys.prefix/etc/ipython).
KERNEL_CONFIG = VENV / "etc" / "ipython" / "ipython_kernel_config.py"
KERNEL_CONFIG_TEXT = """\
# Written by course.py. No figure of the course draws outside its canvas (nearly all
# use matplotlib's constrained layout, which fits them to it), so the inline backend's
# default crop (bbox_inches="tight", which draws each figure twice) would only cost time.
c.InlineBackend.print_figure_kwargs = {"bbox_inches": None}
"""


def write_kernel_config():
    if not KERNEL_CONFIG.is_file() or KERNEL_CONFIG.read_text() != KERNEL_CONFIG_TEXT:
        KERNEL_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        KERNEL_CONFIG.write_text(KERNEL_CONFIG_TEXT)


# --------------------------------------------------------------------------
# setup


def setup():
    """Create .venv if needed; (re)install only when pyproject/lock changed."""
    for path in (PYPROJECT, LOCK):
        if not path.is_file():
            sys.exit("course.py: %s is missing" % path.relative_to(ROOT))

    if not VENV.exists():
        run([sys.executable, "-m", "venv", VENV.name])
    python = venv_python()
    if not python.exists():
        sys.exit(
            "course.py: %s exists but has no %s (made on another system or by "
            "another Python?). Delete the .venv folder and run this again."
            % (VENV.name, python.relative_to(ROOT))
        )

    write_kernel_config()
    wanted = requirements_hash()
    have = STAMP.read_text().strip() if STAMP.is_file() else ""
    if wanted == have and kernel_json().is_file():
        print("course.py: .venv is up to date with pyproject.toml and "
              "requirements/lock.txt (nothing to install)", flush=True)
        return python

    env = venv_env()
    run([python, "-m", "pip", "install", "--upgrade", "pip"], env=env)
    code = run([python, "-m", "pip", "install", *PIP_INSTALL_ARGS], env=env, check=False)
    if code != 0:
        version = subprocess.run(
            [str(python), "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True).stdout.strip()
        sys.exit(
            "course.py: installing the pinned packages failed (exit code %d).\n"
            "The pins in requirements/lock.txt were resolved for CPython 3.11 "
            "(3.11.5 or newer); .venv has Python %s. If that is older, delete .venv "
            "and run this script again with a newer Python." % (code, version or "?"))
    run([python, "-m", "ipykernel", "install", "--sys-prefix",
         "--name", KERNEL_NAME, "--display-name", KERNEL_DISPLAY_NAME], env=env)
    STAMP.write_text(wanted + "\n")
    print("course.py: setup done", flush=True)
    return python


# --------------------------------------------------------------------------
# commands


def cmd_setup(args):
    setup()
    return 0


def cmd_lab(args):
    python = setup()
    cmd = [python, "-m", "jupyter", "lab", "notebooks/"]
    if getattr(os, "geteuid", None) is not None and os.geteuid() == 0:
        cmd.append("--allow-root")
    cmd += args.extra
    return run(cmd, env=notebook_env(), check=False,
               env_note="MPLBACKEND=%s " % INLINE_BACKEND)


# The notebooks' stored outputs must not depend on the CPU: numpy picks SIMD
# kernels (AVX-512, AVX2, baseline) and OpenBLAS its core kernels at run time,
# and the last bits of exp, log and sums differ between them. So `test` runs
# every notebook again with numpy held to lower SIMD levels and OpenBLAS to
# older kernels. Each setting: (name, what it is, environment, CPU features it
# needs). A setting whose features this CPU lacks is skipped (forcing OpenBLAS
# kernels the CPU cannot run would crash), and so is every forced setting on a
# CPU that is not x86-64.
CPU_SETTINGS = [
    ("native", "numpy and OpenBLAS as they detect this CPU", {}, ()),
    ("avx2", "numpy at most AVX2, OpenBLAS Haswell kernels",
     {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
      "OPENBLAS_CORETYPE": "Haswell"}, ("AVX2", "FMA3")),
    ("baseline", "numpy at its baseline, OpenBLAS SandyBridge kernels, one thread",
     {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
      "OPENBLAS_CORETYPE": "SandyBridge", "OPENBLAS_NUM_THREADS": "1",
      "OMP_NUM_THREADS": "1"}, ("AVX",)),
]

# What numpy and OpenBLAS actually run, printed before each pass as evidence.
RUNTIME_REPORT = """
import platform, json
import numpy
from numpy._core._multiarray_umath import __cpu_features__ as features
from threadpoolctl import threadpool_info
blas = [(i.get("internal_api"), i.get("architecture"), i.get("num_threads"))
        for i in threadpool_info() if i.get("user_api") == "blas"]
simd = [name for name in ("X86_V2", "X86_V3", "X86_V4") if features.get(name)]
print(json.dumps({"machine": platform.machine(), "features": features,
                  "summary": "numpy SIMD %s; BLAS %s" % (simd[-1] if simd else "baseline",
                                                         blas)}))
"""


def runtime_report(python, env):
    """What numpy and OpenBLAS pick under ENV: (machine, cpu features, summary)."""
    out = subprocess.run([str(python), "-c", RUNTIME_REPORT], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None, {}, "could not query numpy: " + out.stderr.strip()[-300:]
    report = json.loads(out.stdout)
    return report["machine"], report["features"], report["summary"]


def cpu_settings_to_run(python):
    """The CPU settings this machine can run, and the ones it skips with a reason.

    COURSE_CPU_SETTINGS (comma-separated names, e.g. "native") narrows the list.
    """
    wanted = os.environ.get("COURSE_CPU_SETTINGS", "")
    names = [name.strip() for name in wanted.split(",") if name.strip()]
    known = [setting[0] for setting in CPU_SETTINGS]
    unknown = [name for name in names if name not in known]
    if unknown:
        sys.exit("course.py: COURSE_CPU_SETTINGS names %s; the settings are %s"
                 % (", ".join(unknown), ", ".join(known)))
    machine, features, _ = runtime_report(python, venv_env())
    run_these, skipped = [], []
    for name, what, extra, needs in CPU_SETTINGS:
        if names and name not in names:
            continue
        if extra and machine not in ("x86_64", "AMD64"):
            skipped.append((name, "this CPU is %s, not x86-64" % machine))
        elif not all(features.get(feature) for feature in needs):
            skipped.append((name, "this CPU lacks %s" % " and ".join(needs)))
        else:
            run_these.append((name, what, extra))
    return run_these, skipped


def run_pytest_pass(python, name, what, extra, targets, options, log=None):
    """One pytest pass under a CPU setting: its exit code, or (with LOG) the running process."""
    env = notebook_env(**extra)
    summary = runtime_report(python, env)[2]
    print("\ncourse.py: CPU setting %r: %s\n  %s" % (name, what, summary), flush=True)
    cmd = [python, "-m", "pytest", *targets, *options]
    note = "MPLBACKEND=%s %s" % (INLINE_BACKEND,
                                 "".join("%s=%s " % item for item in sorted(extra.items())))
    if log is None:
        return run(cmd, env=env, check=False, env_note=note)
    show(cmd, note + "(in the background) ")
    return subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


class BackgroundLane(threading.Thread):
    """pytest passes run one after another in the background, each into a log of its own.

    ``results`` gets (label, exit code, seconds, log path) for each pass as it ends.
    """

    def __init__(self, python, passes):
        super().__init__(daemon=True)
        self.python, self.passes, self.results = python, passes, []

    def run(self):
        for label, name, what, extra, targets, options in self.passes:
            path = ROOT / (".pytest-%s.log" % label.replace(" ", "-"))
            started = time.perf_counter()
            with open(path, "w", encoding="utf-8") as log:
                code = run_pytest_pass(self.python, name, what, extra, targets, options,
                                       log=log).wait()
            self.results.append((label, code, time.perf_counter() - started, path))


BROWSER_TESTS = "tests/browser"
# The two slowest unit-test files (about 100 s) run in the browser tests' lane, which
# would otherwise end minutes before the first lane.
BESIDE_BROWSER_TESTS = ("tests/test_assignments.py", "tests/test_likelihood_ratio_test.py")


def cmd_test(args):
    python = setup()
    paths = [p for p in ("tests", "notebooks") if (ROOT / p).is_dir()]
    for p in ("tests", "notebooks"):
        if p not in paths:
            print("course.py: warning: there is no %s/ folder to test" % p)
    nbval = ["--nbval", "--nbval-current-env",
             "--nbval-sanitize-with", SANITIZE.relative_to(ROOT).as_posix(),
             "-p", "no:cacheprovider"]
    options = nbval + args.extra
    settings, skipped = cpu_settings_to_run(python)
    # Three lanes, so that both cores stay busy (pytest runs one test at a time; many
    # tests wait for a server, a browser or a kernel); a fourth lane (the unit tests
    # apart from the notebooks) was slower on two cores, not faster:
    #   here:        the first setting's unit tests and notebooks;
    #   background:  the first setting's browser tests (and BESIDE_BROWSER_TESTS);
    #   background:  every other setting's notebooks, one setting after the other.
    # The background logs are printed at the end, in that order.
    lanes, results = [], []
    browser = (ROOT / BROWSER_TESTS).is_dir() and "tests" in paths
    beside = [path for path in BESIDE_BROWSER_TESTS if (ROOT / path).is_file()] if browser else []
    if settings and browser:
        name, what, extra = settings[0]
        lanes.append(BackgroundLane(python, [("%s browser" % name, name, what, extra,
                                              [BROWSER_TESTS, *beside], options)]))
    if "notebooks" in paths and len(settings) > 1:
        lanes.append(BackgroundLane(python, [(name, name, what, extra, ["notebooks"], options)
                                             for name, what, extra in settings[1:]]))
    for lane in lanes:
        lane.start()
    if settings:
        name, what, extra = settings[0]
        ignore = ["--ignore=%s" % path for path in ([BROWSER_TESTS] if browser else []) + beside]
        started = time.perf_counter()
        code = run_pytest_pass(python, name, what, extra, paths, ignore + options)
        results.append((name, code, time.perf_counter() - started))
    for lane in lanes:
        lane.join()
        for label, code, seconds, path in lane.results:
            print("\ncourse.py: output of the %s pass (in the background):" % label)
            sys.stdout.write(path.read_text(encoding="utf-8"))
            path.unlink()
            results.append((label, code, seconds))
    # A -k/-m selection may pick nothing in one pass (exit code 5): fine if another ran tests.
    if any(code != 5 for _, code, _ in results):
        results = [(label, 0 if code == 5 else code, seconds) for label, code, seconds in results]
    print("\ncourse.py: results per CPU setting:")
    for label, code, seconds in results:
        print("  %-19s %-24s %6.0f s" % (label, "passed" if code == 0 else
                                          "FAILED (exit code %d)" % code, seconds))
    for name, reason in skipped:
        print("  %-19s skipped: %s" % (name, reason))
    failed = [(label, code) for label, code, _ in results if code != 0]
    if not failed:
        return 0
    label, code = failed[0]
    if code == 5:
        print("course.py: FAILED: pytest collected no tests at all "
              "(exit code 5). Check the paths and any -k/-m selection.",
              file=sys.stderr)
    else:
        print("course.py: FAILED in the pass(es) %s"
              % ", ".join(label for label, _ in failed), file=sys.stderr)
    return code


def cmd_execute(args):
    python = setup()
    if args.notebooks:
        notebooks = [Path(n).resolve() for n in args.notebooks]
        for nb in notebooks:
            if not nb.is_file():
                sys.exit("course.py: no such notebook: %s" % nb)
    else:
        notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
        if not notebooks:
            sys.exit("course.py: no notebooks/*.ipynb to execute")

    env = notebook_env()
    note = "MPLBACKEND=%s " % INLINE_BACKEND
    times = []
    for nb in notebooks:
        run([python, "-m", "jupyter", "nbconvert", "--clear-output",
             "--inplace", nb], env=env)
        start = time.perf_counter()
        run([python, "-m", "jupyter", "nbconvert", "--to", "notebook",
             "--execute", "--inplace",
             "--ExecutePreprocessor.timeout=%d" % CELL_TIMEOUT,
             "--ExecutePreprocessor.kernel_name=%s" % KERNEL_NAME,
             # no per-cell timestamps: they would change on every run
             "--ExecutePreprocessor.record_timing=False",
             nb], env=env, env_note=note)
        seconds = time.perf_counter() - start
        # One stream output per cell: how print() output is split into chunks
        # depends on timing, and would otherwise change the file on every run.
        run([python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--inplace",
             "--coalesce-streams", nb], env=env)
        times.append((nb, seconds))
        print("course.py: executed %s in %.1f s" % (nb.name, seconds), flush=True)

    print("\nWall time per notebook:")
    for nb, seconds in times:
        print("  %8.1f s  %s" % (seconds, nb.name))
    print("  %8.1f s  total" % sum(s for _, s in times))
    return 0


def cmd_bench(args):
    python = setup()
    scripts = sorted((ROOT / "bench").glob("*.py"))
    if not scripts:
        print("course.py: no bench/*.py scripts to run")
        return 0
    failed = []
    for script in scripts:
        code = run([python, script.relative_to(ROOT).as_posix()],
                   env=venv_env(), check=False)
        if code != 0:
            failed.append(script.name)
    if failed:
        print("course.py: FAILED: %s" % ", ".join(failed), file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------
# graded coursework (nbgrader)
#
# `assignments DIR` turns every notebook with exercises into an nbgrader
# assignment. An exercise in the notebooks is a placeholder cell (the answer
# set to None, then the self-check `nbXX.check_...(answer)`) followed by its
# solution cell (tag `solution`). In the assignment the two become one answer
# cell, the solution between nbgrader's BEGIN/END SOLUTION markers, followed by
# a read-only test cell that asserts the same check. A solution cell with no
# check after it (a derivation, say) becomes an answer graded by a person.

ASSIGNMENTS_MARKER = ".course-assignments"
CHECKS_PACKAGE = "checks"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
POINTS_PER_ANSWER = 1          # per value the placeholder asks for
POINTS_PER_WRITTEN_ANSWER = 2  # an answer nbgrader cannot check: a person grades it

NBGRADER_CONFIG = '''\
# nbgrader's settings for the emlib course. Written by `python3 course.py
# assignments` when this file is missing (edit it freely; it is not rewritten).
# Run nbgrader's commands from this folder, e.g. `nbgrader autograde 02_hidden_labels`.
c = get_config()  # noqa: F821 (nbgrader provides get_config)

# The released answer cells keep the exercise's placeholder and its self-check,
# so an unanswered exercise says "Not yet: ..." instead of raising an error.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}

# Seconds per cell when autograding (nbgrader's default is 30).
c.Execute.timeout = %d
''' % CELL_TIMEOUT


def checks_modules(nb):
    """{name in the notebook: module name} of every `from checks import ...` in NB."""
    modules = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse("".join(cell.get("source", "")))
        except SyntaxError:
            continue  # IPython magics: not where the checks are imported
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == CHECKS_PACKAGE:
                for alias in node.names:
                    modules[alias.asname or alias.name] = "%s.%s" % (CHECKS_PACKAGE, alias.name)
    return modules


# A cell's closing call of an exercise check: its lines (from 1), its text, the
# module ("checks.nb02"), the function's name and the text of its arguments "(...)".
CheckCall = collections.namedtuple("CheckCall", "first last text module name arguments")


def final_check_call(source, modules):
    """The cell's last statement as a CheckCall if it calls a check, else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    call = tree.body[-1].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name) and call.func.value.id in modules
            and call.func.attr.startswith("check_")):
        return None
    statement = tree.body[-1]
    text = ast.get_source_segment(source, call)
    arguments = text[len(ast.get_source_segment(source, call.func)):]
    return CheckCall(statement.lineno, statement.end_lineno, text, modules[call.func.value.id],
                     call.func.attr, arguments)


def placeholder_answers(source):
    """How many values the placeholder asks for: the names it sets to (something with) None."""
    count = 0
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(part, ast.Constant) and part.value is None
                for part in ast.walk(node.value)):
            for target in node.targets:
                count += len(target.elts) if isinstance(target, ast.Tuple) else 1
    return max(count, 1)


def without_lines(source, first, last):
    """SOURCE without its lines FIRST..LAST (from 1), and without trailing blank lines."""
    lines = source.split("\n")
    del lines[first - 1:last]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def nbgrader_metadata(grade_id, *, solution=False, grade=False, points=None):
    """nbgrader's cell metadata: an answer (solution), a test (grade) or an answer a person grades."""
    meta = {"grade": grade, "solution": solution, "locked": grade and not solution,
            "grade_id": grade_id, "schema_version": 3}
    if grade:
        meta["points"] = points
    return meta


def plain_cell(cell):
    """CELL without outputs, run metadata and the solution tags (it is shown in the open)."""
    cell = json.loads(json.dumps(cell))  # deep copy
    metadata = cell.setdefault("metadata", {})
    tags = [t for t in metadata.get("tags", []) if t not in (SOLUTION_TAG, "hide-cell")]
    if tags:
        metadata["tags"] = tags
    else:
        metadata.pop("tags", None)
    metadata.pop("jupyter", None)  # source_hidden / outputs_hidden
    metadata.pop("execution", None)
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def grading_cell_source(call, points):
    """A read-only test cell: the exercise's check must pass; at grading time a fresh copy too."""
    return "\n".join([
        "# Graded test, %d point%s: the exercise's check must say \"Correct!\"."
        % (points, "" if points == 1 else "s"),
        "import warnings",
        "with warnings.catch_warnings():",
        "    warnings.simplefilter(\"ignore\")  # nbgrader gives 0 points to a test that warns",
        "    feedback = %s" % call.text,
        "assert feedback, feedback",
        BEGIN_HIDDEN,
        "# At grading time, the same check from a fresh import of the instructor's",
        "# checks/, so that rebinding the check in the notebook cannot pass it.",
        "import importlib",
        "import %s.core, %s" % (CHECKS_PACKAGE, call.module),
        "importlib.reload(%s.core)" % CHECKS_PACKAGE,
        "with warnings.catch_warnings():",
        "    warnings.simplefilter(\"ignore\")",
        "    feedback = importlib.reload(%s).%s%s" % (call.module, call.name, call.arguments),
        "assert feedback, feedback",
        END_HIDDEN,
    ])


def assignment_notebook(nb):
    """The nbgrader source version of a notebook, and what it grades.

    Returns (notebook, exercises), one (grade id, points, how it is graded)
    per exercise; no exercises means the notebook has no solution cells.
    """
    modules = checks_modules(nb)
    cells, exercises = [], []
    used_ids = set()

    def new_id(base):
        grade_id, n = base, 1
        while grade_id in used_ids:
            n += 1
            grade_id = "%s-%d" % (base, n)
        used_ids.add(grade_id)
        return grade_id

    for cell in nb.get("cells", []):
        if SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []):
            cells.append(plain_cell(cell))
            continue
        number = len(exercises) + 1
        answer = plain_cell(cell)
        source = "".join(cell.get("source", ""))
        call = final_check_call(source, modules) if cell.get("cell_type") == "code" else None
        if call is None:
            grade_id = new_id("written-answer-%d" % number)
            answer["metadata"]["nbgrader"] = nbgrader_metadata(
                grade_id, solution=True, grade=True, points=POINTS_PER_WRITTEN_ANSWER)
            answer["source"] = source
            answer["id"] = grade_id
            cells.append(answer)
            exercises.append((grade_id, POINTS_PER_WRITTEN_ANSWER, "by a person"))
            continue
        # The placeholder cell just before, ending with the same check, merges into the answer.
        head, points = [], POINTS_PER_ANSWER
        previous = cells[-1] if cells else None
        if previous is not None and previous.get("cell_type") == "code" \
                and "nbgrader" not in previous["metadata"]:
            before = "".join(previous.get("source", ""))
            placeholder = final_check_call(before, modules)
            if placeholder is not None and placeholder.name == call.name:
                cells.pop()
                head = without_lines(before, placeholder.first, placeholder.last)
                points = POINTS_PER_ANSWER * placeholder_answers(before)
        name = call.name[len("check_"):].replace("_", "-")
        answer_id, test_id = new_id("answer-" + name), new_id("test-" + name)
        answer["source"] = "\n".join(head + [BEGIN_SOLUTION]
                                     + without_lines(source, call.first, call.last)
                                     + [END_SOLUTION, call.text])
        answer["metadata"]["nbgrader"] = nbgrader_metadata(answer_id, solution=True)
        answer["id"] = answer_id
        test = {"cell_type": "code", "execution_count": None, "id": test_id,
                "metadata": {"nbgrader": nbgrader_metadata(test_id, grade=True, points=points)},
                "outputs": [], "source": grading_cell_source(call, points)}
        cells += [answer, test]
        exercises.append((test_id, points, "by %s.%s" % (call.module, call.name)))
    metadata = {key: value for key, value in nb.get("metadata", {}).items()
                if key != "widgets"}  # saved widget state
    return dict(nb, cells=cells, metadata=metadata), exercises


def write_assignment_sources(outdir, notebooks):
    """Write OUTDIR/source/<notebook name>/ for each notebook with exercises.

    Each holds the nbgrader version of the notebook and a copy of every other
    file in notebooks/ (the checks/ package). Returns [(assignment, exercises)].
    """
    written = []
    for path in notebooks:
        with open(path, encoding="utf-8") as f:
            nb, exercises = assignment_notebook(json.load(f))
        if not exercises:
            print("  %s: no exercises, no assignment" % path.name)
            continue
        target = outdir / "source" / path.stem
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(NOTEBOOKS, target, ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.ipynb"))
        with open(target / path.name, "w", encoding="utf-8", newline="\n") as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write("\n")
        total = sum(points for _, points, _ in exercises)
        print("  source/%s/%s: %d exercise(s), %d point(s)"
              % (path.stem, path.name, len(exercises), total))
        written.append((path.stem, exercises))
    config = outdir / "nbgrader_config.py"
    if not config.is_file():
        config.write_text(NBGRADER_CONFIG, encoding="utf-8")
    (outdir / ASSIGNMENTS_MARKER).write_text(
        "Made by `python3 course.py assignments`, which rewrites source/<assignment>/ of\n"
        "each notebook it is given; release/, submitted/, autograded/, feedback/ and\n"
        "gradebook.db are nbgrader's.\n")
    return written


def generate_assignments(python, outdir, env, check=True):
    """Run nbgrader's generate_assignment on every OUTDIR/source/*: writes OUTDIR/release/.

    One nbgrader process for all (starting nbgrader takes seconds); --force
    replaces an earlier release (nbgrader itself refuses when that would drop
    a notebook that has submissions). ENV must have nbgrader's scripts on PATH.
    """
    return run([python, "-m", "nbgrader", "generate_assignment", "*", "--force"],
               env=env, cwd=outdir, check=check, env_note="(in %s) " % outdir)


def cmd_assignments(args):
    outdir = Path(args.outdir).resolve()
    src = NOTEBOOKS.resolve()
    if outdir == src or src in outdir.parents or outdir in src.parents or outdir == ROOT:
        sys.exit("course.py: the course folder must lie outside notebooks/ "
                 "and must not contain it: %s" % outdir)
    if outdir.exists() and any(outdir.iterdir()) and not (outdir / ASSIGNMENTS_MARKER).is_file():
        sys.exit("course.py: %s is not empty and was not made by `course.py assignments`; "
                 "choose an empty or new folder" % outdir)
    if args.notebooks:
        notebooks = [Path(n).resolve() for n in args.notebooks]
        for nb in notebooks:
            if nb.parent != src or nb.suffix != ".ipynb" or not nb.is_file():
                sys.exit("course.py: not a notebook in notebooks/: %s" % nb)
    else:
        notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    python = setup()
    outdir.mkdir(parents=True, exist_ok=True)
    print("course.py: writing the nbgrader course folder %s" % outdir, flush=True)
    written = write_assignment_sources(outdir, notebooks)
    if not written:
        sys.exit("course.py: none of these notebooks has exercises")
    generate_assignments(python, outdir, venv_env())
    print("course.py: %d assignment(s) in %s; hand out release/<assignment>/, collect "
          "the students' work in submitted/<student>/<assignment>/, then run "
          "`nbgrader autograde <assignment>` there" % (len(written), outdir))
    return 0


# --------------------------------------------------------------------------
# the course website (Jupyter Book 1.x)


def book_toc(notebook_names):
    """The _toc.yml of the website: the intro page, then every notebook in order."""
    lines = ["# Written by `course.py book`: every notebooks/*.ipynb, in name order.",
             "format: jb-book",
             "root: intro",
             "chapters:"]
    lines += ["- file: notebooks/%s" % Path(name).stem for name in notebook_names]
    return "\n".join(lines) + "\n"


def toc_notebooks(toc_text):
    """The notebook names (without .ipynb) that a _toc.yml lists."""
    names = []
    for line in toc_text.splitlines():
        entry = line.strip()
        if entry.startswith("- file: notebooks/"):
            names.append(entry[len("- file: notebooks/"):].strip())
    return names


def stage_book(outdir):
    """Copy book/ and notebooks/ into OUTDIR/src and write its _toc.yml.

    Returns the source folder and the notebook names, in order.
    """
    src = outdir / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(BOOK, src, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    shutil.copytree(NOTEBOOKS, src / "notebooks", ignore=shutil.ignore_patterns(
        ".*", "__pycache__"))
    notebooks = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    toc = book_toc(notebooks)
    listed = set(toc_notebooks(toc))
    missing = [n for n in notebooks if Path(n).stem not in listed]
    if missing:  # cannot happen with book_toc, but the site must never drop a notebook
        sys.exit("course.py: the table of contents misses %s" % ", ".join(missing))
    (src / "_toc.yml").write_text(toc, encoding="utf-8")
    return src, notebooks


def book_html(outdir):
    return outdir / "_build" / "html"


def cmd_book(args):
    outdir = Path(args.output).resolve() if args.output else BOOK_OUTPUT
    inside = [folder for folder in (NOTEBOOKS.resolve(), BOOK.resolve())
              if outdir == folder or folder in outdir.parents]
    if outdir == ROOT or inside:
        sys.exit("course.py: choose an output folder other than the repository root and "
                 "outside notebooks/ and book/: %s" % outdir)
    if not any(NOTEBOOKS.glob("*.ipynb")):
        sys.exit("course.py: no notebooks/*.ipynb to build a website from")
    python = setup()
    src, notebooks = stage_book(outdir)
    if args.stored_outputs:
        # The pages show the outputs stored in the notebooks (which nbval checks) instead
        # of executing every notebook again.
        config = src / "_config.yml"
        text = config.read_text(encoding="utf-8")
        if "execute_notebooks: force" not in text:
            sys.exit("course.py: book/_config.yml has no 'execute_notebooks: force' line")
        config.write_text(text.replace("execute_notebooks: force", 'execute_notebooks: "off"'),
                          encoding="utf-8")
    html = book_html(outdir)
    reports = html / "reports"
    if reports.exists():
        shutil.rmtree(reports)
    jupyter_book = python.parent / ("jupyter-book.exe" if os.name == "nt" else "jupyter-book")
    start = time.perf_counter()
    # --all: rebuild (and so re-execute) every page, not only the changed ones.
    code = run([jupyter_book, "build", src, "--path-output", outdir, "--builder", "html",
                "--all", "--keep-going"], env=notebook_env(), check=False,
               env_note="MPLBACKEND=%s " % INLINE_BACKEND)
    seconds = time.perf_counter() - start
    problems = []
    if code != 0:
        problems.append("jupyter-book exited with code %d" % code)
    for name in notebooks:
        if not (html / "notebooks" / (Path(name).stem + ".html")).is_file():
            problems.append("no page for %s" % name)
    # myst-nb writes a report for every notebook whose execution failed.
    for report in sorted(reports.glob("*.log")) if reports.is_dir() else []:
        problems.append("executing a notebook failed; see %s" % report)
    if problems:
        print("course.py: FAILED: the website was not built cleanly:\n  "
              + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("course.py: website built in %.1f s (%d notebooks %s): open %s"
          % (seconds, len(notebooks), "with their stored outputs" if args.stored_outputs
             else "executed", (html / "index.html").as_uri()), flush=True)
    return 0


# --------------------------------------------------------------------------


PASSTHROUGH = ("lab", "test")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="course.py",
        description="Set up, run, test and package the EM course.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("setup", help="create .venv and install the course (only when needed)")
    p.set_defaults(func=cmd_setup)

    # Everything after `lab` or `test` goes to jupyter lab or pytest as it is
    # (so `course.py test -x -k name` and `course.py test --help` work).
    p = sub.add_parser("lab", help="setup, then open the course in JupyterLab "
                       "(further arguments go to `jupyter lab`)")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser("test", help="setup, then run the unit tests and every notebook "
                       "with strict nbval (further arguments go to pytest, e.g. -x, -k NAME)")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("execute", help="setup, then re-execute notebooks in place")
    p.add_argument("notebooks", nargs="*", help="default: every notebooks/*.ipynb")
    p.set_defaults(func=cmd_execute)

    p = sub.add_parser("assignments", help="setup, then write an nbgrader course folder: "
                       "every notebook with exercises as a graded assignment")
    p.add_argument("outdir", metavar="DIR", help="the course folder (made if missing)")
    p.add_argument("notebooks", nargs="*", help="default: every notebooks/*.ipynb with exercises")
    p.set_defaults(func=cmd_assignments)

    p = sub.add_parser("bench", help="setup, then run every bench/*.py")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("book", help="setup, then build the course website with Jupyter Book "
                       "(executes every notebook)")
    p.add_argument("--output", help="build folder (default: _build/book); the site is in "
                   "OUTPUT/_build/html")
    p.add_argument("--stored-outputs", action="store_true",
                   help="show the outputs stored in the notebooks instead of executing them "
                   "(the test command checks those outputs with nbval)")
    p.set_defaults(func=cmd_book)

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in PASSTHROUGH:
        args = parser.parse_args(argv[:1])
        args.extra = argv[1:]
    else:
        args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
