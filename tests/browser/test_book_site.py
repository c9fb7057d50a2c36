"""The course website: built with `python3 course.py book`, checked in a real browser.

One build (every notebook executed) serves all tests here. Each page is
opened in Debian's Chromium over HTTP on 127.0.0.1 and must show its title,
its figures (loaded images) and its maths (typeset by the site's own
MathJax), with no console error, no failed request and no error output in
any cell; a full-page screenshot of each goes to .ci-artifacts/browser/book/.
"""

import functools
import importlib.util
import json
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

BUILD_TIMEOUT = 1500  # seconds: every notebook is executed (each well under a minute)
NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
PAGES = ["intro"] + [f"notebooks/{name}" for name in NOTEBOOK_NAMES]

# A formula is typeset when MathJax has put an mjx-container into its .math element.
MATH_WAIT = """() => [...document.querySelectorAll('.math')]
    .every(m => m.querySelector('mjx-container') !== null)"""


def _course_module():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored_image_count(name):
    """image/png outputs stored in notebooks/NAME.ipynb."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return sum("image/png" in output.get("data", {})
               for cell in notebook["cells"] for output in cell.get("outputs", []))


def solution_cell_count(name):
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return sum("solution" in cell.get("metadata", {}).get("tags", [])
               for cell in notebook["cells"])


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """Build the site once, exactly as the README says (plus a private output folder)."""
    outdir = tmp_path_factory.mktemp("book")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "course.py"), "book", "--output",
                           str(outdir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, (f"course.py book failed ({done.returncode}):\n"
                                  f"{done.stdout[-6000:]}\n{done.stderr[-4000:]}")
    print(f"website built in {seconds:.0f} s")
    return {"html": outdir / "_build" / "html", "toc": outdir / "src" / "_toc.yml",
            "log": done.stdout}


@pytest.fixture(scope="module")
def site(book):
    """Serve the built site on 127.0.0.1 (a free port) for the module's tests."""
    handler = functools.partial(_QuietHandler, directory=str(book["html"]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output readable
        pass


# --------------------------------------------------------------------------


def test_toc_lists_every_notebook_in_order(book):
    course = _course_module()
    listed = course.toc_notebooks(book["toc"].read_text(encoding="utf-8"))
    assert listed == NOTEBOOK_NAMES
    # and the helper really reads a toc: a notebook left out is noticed
    assert "09_x" not in course.toc_notebooks(course.book_toc(["01_a.ipynb"]))
    assert course.toc_notebooks(course.book_toc(["01_a.ipynb", "02_b.ipynb"])) == ["01_a", "02_b"]


def test_every_notebook_was_executed_during_the_build(book):
    for name in NOTEBOOK_NAMES:
        assert f"{name}.ipynb: Executed notebook in" in book["log"], \
            f"{name} was not executed by the build"
    assert not (book["html"] / "reports").exists() or not any(
        (book["html"] / "reports").iterdir()), "execution reports (failures) were written"


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_title_figures_and_maths(site, watched_page, artifacts, page_name):
    page = watched_page.page
    page.goto(f"{site}/{page_name}.html", wait_until="load")
    page.wait_for_function(MATH_WAIT, timeout=60_000)

    heading = page.locator("article h1").first.inner_text().strip().rstrip("#").strip()
    assert heading, "the page has no h1 title"
    assert heading.split()[0] in page.title()

    maths = page.locator(".math").count()
    if maths:
        assert page.locator(".math mjx-container").count() >= maths, "maths not typeset"
        assert not page.locator("mjx-merror").count(), "MathJax could not read a formula"
    text = page.locator("article").inner_text()
    assert "\\frac" not in text and "\\sum" not in text, "raw LaTeX is visible"

    broken = page.evaluate("() => [...document.querySelectorAll('article img')]"
                           ".filter(img => !(img.complete && img.naturalWidth > 0))"
                           ".map(img => img.src.slice(0, 80))")
    assert not broken, f"images that did not load: {broken}"
    if page_name.startswith("notebooks/"):
        name = page_name.split("/", 1)[1]
        expected = stored_image_count(name)
        figures = page.locator(".cell_output img").count()
        assert figures >= expected, f"{figures} figures shown, the notebook has {expected}"
        assert page.locator(".cell_output .traceback").count() == 0, "a cell raised an error"
    else:
        assert maths > 0  # the intro shows the mixture likelihood

    page.screenshot(path=str(artifacts / "book" / f"{page_name.replace('/', '_')}.png"),
                    full_page=True)
    assert not watched_page.errors, "\n".join(watched_page.errors)


SOLUTION_PAGES = [name for name in NOTEBOOK_NAMES if solution_cell_count(name)]


@pytest.mark.parametrize("name", SOLUTION_PAGES)
def test_solutions_are_folded_into_dropdowns(site, watched_page, name):
    page = watched_page.page
    page.goto(f"{site}/notebooks/{name}.html", wait_until="load")
    solutions = page.locator(".cell.tag_solution")
    assert solutions.count() == solution_cell_count(name)
    first = solutions.first
    toggle = first.locator("details.hide summary, button.toggle-button").first
    code = first.locator(".cell_input").first
    assert toggle.count() == 1, "the solution has no dropdown"
    assert not code.is_visible(), "the solution's code shows before it is opened"
    toggle.click()
    code.wait_for(state="visible", timeout=10_000)
    assert not watched_page.errors, "\n".join(watched_page.errors)
