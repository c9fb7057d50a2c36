"""The exercises' self-checks are course material in notebooks/checks/, outside emlib.

emlib must not import them (nor carry a copy), the checks may use emlib's
public API only, every notebook's `from checks import ...` must resolve, and
each way the course runs a notebook (its folder as the kernel's working
directory) must find the package: the website's staging copy and the
graded assignments' folders carry it along.
"""

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from course_script import load_course

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHECKS = NOTEBOOKS / "checks"
CHECK_MODULES = sorted(p for p in CHECKS.glob("*.py") if p.name != "__init__.py")



def test_importing_all_of_emlib_imports_no_check():
    # notebooks/ is on the path, so `checks` *could* be imported: nothing in emlib may do it.
    program = (
        "import importlib, pkgutil, sys\n"
        "import emlib\n"
        "for info in pkgutil.walk_packages(emlib.__path__, 'emlib.'):\n"
        "    importlib.import_module(info.name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'checks' or m.startswith('checks.')\n"
        "                or 'exercises' in m)\n"
        "print(repr(loaded))\n"
        "print(repr(importlib.util.find_spec('emlib.exercises')))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(NOTEBOOKS), MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    loaded, spec = result.stdout.split("\n")[:2]
    assert loaded == "[]"
    assert spec == "None"   # no emlib.exercises left behind


def _emlib_imports(path):
    """(module, name) for every `from emlib... import name` / `import emlib...` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (
                node.module == "emlib" or node.module.startswith("emlib.")):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names
                      if alias.name.split(".")[0] == "emlib"]
    return found


@pytest.mark.parametrize("path", CHECK_MODULES, ids=lambda p: p.name)
def test_checks_use_only_emlibs_public_api(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            # inside the package only: the shared core, never up into emlib's tree
            assert node.level == 1 and node.module == "core", ast.dump(node)
    for module, name in _emlib_imports(path):
        assert not any(part.startswith("_") for part in module.split(".")), module
        imported = importlib.import_module(module)
        if name is not None:
            assert name != "*" and not name.startswith("_"), (module, name)
            assert hasattr(imported, name), (module, name)


def _code_cells(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def test_every_notebook_imports_checks_that_exist_and_nothing_from_emlib_exercises():
    importers = 0
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        assert "emlib.exercises" not in text, notebook.name
        for source in _code_cells(notebook):
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ImportFrom) and node.module == "checks":
                    importers += 1
                    for alias in node.names:
                        assert (CHECKS / f"{alias.name}.py").is_file(), (notebook.name, alias.name)
    assert importers >= 10   # notebooks 01-09, 04b and 04c each have exercises


def test_the_website_staging_copy_carries_the_checks(tmp_path):
    # The book build executes each notebook in its folder of the staging copy.
    src, notebooks = load_course().stage_book(tmp_path)
    assert notebooks
    for path in CHECK_MODULES + [CHECKS / "__init__.py"]:
        assert (src / "notebooks" / "checks" / path.name).read_bytes() == path.read_bytes()


def test_the_assignments_carry_the_checks(tmp_path, capsys):
    # `course.py assignments` copies the package beside each assignment's notebook.
    written = load_course().write_assignment_sources(tmp_path, sorted(NOTEBOOKS.glob("*.ipynb")))
    assert len(written) >= 10
    for assignment, _ in written:
        folder = tmp_path / "source" / assignment
        for path in CHECK_MODULES + [CHECKS / "__init__.py"]:
            assert (folder / "checks" / path.name).read_bytes() == path.read_bytes()
        assert not list(folder.rglob("__pycache__"))
