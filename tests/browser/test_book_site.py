"""The course website: built with `python3 course.py book`, checked in a real browser.

One build (from the notebooks' stored outputs) serves all tests here. Each page is
opened in Debian's Chromium over HTTP on 127.0.0.1 and must show its title,
its figures (loaded images) and its maths (typeset by the site's own
MathJax), with no console error, no failed request and no error output in
any cell; a full-page screenshot of a page that fails goes to
.ci-artifacts/browser/book/.

Pages everyone can read (WCAG 2.1 AA): axe-core (axe-playwright-python, in
the same Chromium) checks every page of the site with every dropdown open, with
all its rules in the light mode and its colour rules in the dark one, and any
serious or critical violation fails (all findings go
to .ci-artifacts/browser/axe/); every figure carries the alt text stored in
its notebook cell; every display equation can be read whole at 1400 px, if
need be by scrolling it sideways; and the worked solutions stay folded, with
their outputs, until a student opens them.
"""

import functools
import json
import re
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from course_script import load_course

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

BUILD_TIMEOUT = 1500  # seconds (a build that executes every notebook takes a few minutes)
NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
PAGES = ["intro"] + [f"notebooks/{name}" for name in NOTEBOOK_NAMES]

# A formula is typeset when MathJax has put an mjx-container into its .math element.
MATH_WAIT = """() => [...document.querySelectorAll('.math')]
    .every(m => m.querySelector('mjx-container') !== null)"""
# ... and laid out for good once MathJax is done and its web fonts have loaded.
MATH_SETTLED = """() => (window.MathJax && MathJax.startup ? MathJax.startup.promise
                         : Promise.resolve()).then(() => document.fonts.ready).then(() => true)"""

# Every page of the built site: the chapters, and Sphinx's own search and index pages.
SITE_PAGES = PAGES + ["search", "genindex"]
# axe-core's impact levels that fail the build (the others are reported in the artifacts).
FAILING_IMPACTS = ("serious", "critical")
# The dark mode changes colours and nothing else, so in it only axe's rules that read
# colours can change their verdict: they run in both modes, every rule in the light one.
COLOUR_RULES = ("color-contrast", "link-in-text-block")

# Where each display equation's content lies, and what could hide part of it.
# Content left of the box's scroll origin can never be scrolled to; content
# right of it must be reachable by scrolling the box itself; and no ancestor
# that clips (overflow other than visible) may cut off any of the box.
EQUATION_GEOMETRY = """() => MathJax.startup.document.getMathItemsWithin(document.body)
  .filter(item => item.display).map(item => {
    const box = item.typesetRoot;
    const extent = () => {
      let left = Infinity, right = -Infinity;
      for (const part of box.querySelectorAll('mjx-math *')) {
        if (part.closest('mjx-assistive-mml')) continue;
        const r = part.getBoundingClientRect();
        if (r.width > 0) { left = Math.min(left, r.left); right = Math.max(right, r.right); }
      }
      return [left, right];
    };
    box.scrollLeft = 0;
    const outer = box.getBoundingClientRect();
    const [left, right] = extent();
    box.scrollLeft = box.scrollWidth;
    const rightAtEnd = extent()[1];
    const scrolledBy = box.scrollLeft;
    box.scrollLeft = 0;
    const clippedBy = [];
    for (let a = box.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'visible') continue;
      const r = a.getBoundingClientRect();
      if (outer.left < r.left - 1 || outer.right > r.right + 1)
        clippedBy.push(a.tagName.toLowerCase() + '.' + [...a.classList].join('.'));
    }
    return {tex: item.math.trim(), boxLeft: outer.left, viewRight: outer.left + box.clientWidth,
            contentLeft: left, contentRight: right, contentRightAtEnd: rightAtEnd,
            scrolledBy: scrolledBy, clientWidth: box.clientWidth, scrollWidth: box.scrollWidth,
            overflowX: getComputedStyle(box).overflowX, clippedBy: clippedBy};
  })"""


def stored_image_count(name):
    """image/png outputs stored in notebooks/NAME.ipynb."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return sum("image/png" in output.get("data", {})
               for cell in notebook["cells"] for output in cell.get("outputs", []))


def stored_figure_alts(name):
    """The alt text of each image/png stored in notebooks/NAME.ipynb, in order (None: none)."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    alts = []
    for cell in notebook["cells"]:
        image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                alts.append(image.get("alt"))
    return alts


def solution_cell_count(name, cell_type=None):
    """Solution cells of notebooks/NAME.ipynb (of one cell type, or all)."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return sum("solution" in cell.get("metadata", {}).get("tags", [])
               and cell_type in (None, cell["cell_type"]) for cell in notebook["cells"])


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """Build the site once, as the README says, from the notebooks' stored outputs.

    The same test run checks those outputs with nbval under three CPU settings, so
    the site is built from them (``--stored-outputs``) rather than by executing every
    notebook a fourth time; ``course.py book`` without it executes them (the
    README's command for instructors).
    """
    outdir = tmp_path_factory.mktemp("book")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "course.py"), "book", "--output",
                           str(outdir), "--stored-outputs"], cwd=ROOT, capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT)
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
    course = load_course()
    listed = course.toc_notebooks(book["toc"].read_text(encoding="utf-8"))
    assert listed == NOTEBOOK_NAMES
    # and the helper really reads a toc: a notebook left out is noticed
    assert "09_x" not in course.toc_notebooks(course.book_toc(["01_a.ipynb"]))
    assert course.toc_notebooks(course.book_toc(["01_a.ipynb", "02_b.ipynb"])) == ["01_a", "02_b"]


def test_the_site_shows_the_stored_outputs_and_executes_nothing(book):
    for name in NOTEBOOK_NAMES:
        assert f"{name}.ipynb: Executed notebook in" not in book["log"], \
            f"{name} was executed by the build; its stored outputs should be shown"
    assert "with their stored outputs" in book["log"]
    assert not (book["html"] / "reports").exists() or not any(
        (book["html"] / "reports").iterdir()), "execution reports (failures) were written"


@pytest.fixture
def screenshot_if_failed(request, artifacts):
    """``screenshot_if_failed(page, name)``: a full-page screenshot if the test fails.

    (A full-page screenshot of a long page takes seconds; one of every page on
    every run would cost a minute for pictures nobody looks at.)
    """
    shots = []
    yield lambda page, name: shots.append((page, name))
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for page, name in shots:
            path = artifacts / "book" / f"{name.replace('/', '_')}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_title_figures_and_maths(site, watched_page, screenshot_if_failed,
                                              page_name):
    page = watched_page.page
    screenshot_if_failed(page, page_name)
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

    assert not watched_page.errors, "\n".join(watched_page.errors)


SOLUTION_PAGES = [name for name in NOTEBOOK_NAMES if solution_cell_count(name)]


# --------------------------------------------------------------------------
# pages everyone can read


def equation_problems(geometry):
    """What keeps part of a display equation out of reach, one line per equation."""
    problems = []
    for eq in geometry:
        name = " ".join(eq["tex"].split())[:70]
        if eq["clippedBy"]:
            problems.append(f"{name}: cut off by {', '.join(eq['clippedBy'])}")
        if eq["contentLeft"] < eq["boxLeft"] - 1:
            problems.append(f"{name}: starts {eq['boxLeft'] - eq['contentLeft']:.0f} px left of "
                            "its box, where no scrolling reaches")
        if eq["contentRight"] > eq["viewRight"] + 1:  # wider than its box: it must scroll
            scrolls = (eq["overflowX"] in ("auto", "scroll")
                       and eq["scrollWidth"] > eq["clientWidth"] and eq["scrolledBy"] > 0)
            if not scrolls:
                problems.append(f"{name}: {eq['contentRight'] - eq['viewRight']:.0f} px beyond "
                                f"its box, which does not scroll (overflow-x: {eq['overflowX']})")
            elif eq["contentRightAtEnd"] > eq["viewRight"] + 1:
                problems.append(f"{name}: its right end stays out of view when scrolled")
    return problems


def _equation(tex="x", **changes):
    fits = {"tex": tex, "boxLeft": 300, "viewRight": 1100, "contentLeft": 300,
            "contentRight": 900, "contentRightAtEnd": 900, "scrolledBy": 0, "clientWidth": 800,
            "scrollWidth": 800, "overflowX": "auto", "clippedBy": []}
    return dict(fits, **changes)


def test_equation_check_can_fail():
    wide = {"contentRight": 1160, "scrollWidth": 860}
    assert equation_problems([_equation()]) == []
    assert equation_problems([_equation(**wide, scrolledBy=60, contentRightAtEnd=1100)]) == []
    for changes, complaint in [
            ({"clippedBy": ["div.math"]}, "cut off by div.math"),
            ({"contentLeft": 246}, "54 px left of its box"),
            (dict(wide, overflowX="hidden"), "does not scroll"),
            (dict(wide, scrolledBy=60, contentRightAtEnd=1150), "out of view")]:
        problems = equation_problems([_equation(**changes)])
        assert len(problems) == 1 and complaint in problems[0], (changes, problems)


def open_settled(page, url):
    """Load a page and wait until MathJax has typeset and laid out every formula."""
    page.goto(url, wait_until="load")
    page.wait_for_function(MATH_WAIT, timeout=60_000)
    page.evaluate(MATH_SETTLED)


def open_every_dropdown(page):
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def set_colour_mode(page, mode):
    """The theme's light or dark mode, as its own switch sets it, with its colours settled.

    The theme fades colours over 0.15 s; a contrast measured halfway would be
    neither mode's, so transitions are switched off for the check.
    """
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; "
                               "animation: none !important; }")
    page.evaluate("mode => { document.documentElement.dataset.mode = mode;"
                  " document.documentElement.dataset.theme = mode; }", mode)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => "
                  "requestAnimationFrame(() => done(true))))")


def violation_summary(violation):
    targets = [" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
               for node in violation["nodes"]]
    return (f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(targets)}: {'; '.join(targets[:4])}] {violation['helpUrl']}")


@pytest.mark.parametrize("page_name", SITE_PAGES)
def test_page_is_accessible(site, wide_watched_page, axe, artifacts, page_name):
    """axe-core finds nothing serious, figures are described, equations read whole."""
    page = wide_watched_page.page
    open_settled(page, f"{site}/{page_name}.html")
    open_every_dropdown(page)  # so that axe also checks the worked solutions

    # Every image says what it shows: the alt stored with its notebook cell, never a file name.
    alts = page.evaluate("() => [...document.querySelectorAll('article img')]"
                         ".map(img => img.getAttribute('alt'))")
    unnamed = [alt for alt in alts if not alt or not alt.strip() or alt.strip().endswith(".png")]
    assert not unnamed, f"images without a text alternative: {unnamed[:5]}"
    if page_name.startswith("notebooks/"):
        name = page_name.split("/", 1)[1]
        stored = stored_figure_alts(name)
        assert None not in stored, (f"{name}: a figure without alt text in its cell metadata "
                                    "(tests/test_notebook_accessibility.py says which)")
        shown = page.evaluate("() => [...document.querySelectorAll('.cell_output img')]"
                              ".map(img => img.getAttribute('alt'))")
        assert shown == stored, "the figures' alt texts on the page are not those of the notebook"

    problems = equation_problems(page.evaluate(EQUATION_GEOMETRY))
    assert not problems, "display equations not readable whole at 1400 px:\n  " + \
        "\n  ".join(problems)
    # The page's own errors. (axe then fetches the stylesheets once more and resolves the
    # theme's `@import "../basic.css"` against the page instead of the sheet: a 404 of its own.)
    assert not wide_watched_page.errors, "\n".join(wide_watched_page.errors)

    findings, failing = {}, []
    for mode, rules in (("light", None), ("dark", COLOUR_RULES)):
        set_colour_mode(page, mode)
        options = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = {"type": "rule", "values": list(rules)}
        violations = axe.run(page, options=options).response["violations"]
        findings[mode] = [violation_summary(v) for v in violations]
        failing += [f"{mode}: {violation_summary(v)}" for v in violations
                    if v["impact"] in FAILING_IMPACTS]
    report = artifacts / "axe" / f"{page_name.replace('/', '_')}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(findings, indent=1), encoding="utf-8")
    assert not failing, "axe-core: serious or critical violations:\n  " + "\n  ".join(failing)


EQ3_PAGE = "notebooks/03_em_algorithm"


def eq3_geometry(page):
    eq3 = [eq for eq in page.evaluate(EQUATION_GEOMETRY) if "\\tag{3}" in eq["tex"]]
    assert len(eq3) == 1, f"{len(eq3)} display equations with \\tag{{3}} on {EQ3_PAGE}"
    return eq3[0]


def test_wide_equation_3_scrolls_instead_of_being_clipped(site, wide_watched_page, artifacts):
    """Notebook 03's eq. 3 at 1400 px: it fits its column, or its own box scrolls to all of it."""
    page = wide_watched_page.page
    open_settled(page, f"{site}/{EQ3_PAGE}.html")
    eq3 = eq3_geometry(page)
    assert equation_problems([eq3]) == []
    box = page.evaluate_handle("() => MathJax.startup.document.getMathItemsWithin(document.body)"
                               ".find(item => item.display && item.math.includes('\\\\tag{3}'))"
                               ".typesetRoot").as_element()
    box.scroll_into_view_if_needed()
    box.screenshot(path=str(artifacts / "book" / "eq3_at_1400px.png"))
    if eq3["scrollWidth"] > eq3["clientWidth"]:
        box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        box.screenshot(path=str(artifacts / "book" / "eq3_at_1400px_scrolled.png"))
    assert not wide_watched_page.errors, "\n".join(wide_watched_page.errors)


def test_without_the_site_css_eq3_would_be_cut_off(site, wide_watched_page):
    """The check sees the clipping that book/_static/accessibility.css repairs."""
    page = wide_watched_page.page
    page.route("**/_static/accessibility.css*",
               lambda route: route.fulfill(status=200, body="", content_type="text/css"))
    open_settled(page, f"{site}/{EQ3_PAGE}.html")
    eq3 = eq3_geometry(page)
    if eq3["contentRight"] - eq3["contentLeft"] <= eq3["clientWidth"]:
        pytest.skip("eq. 3 now fits a 1400 px page: nothing to clip")
    assert equation_problems([eq3]), eq3


def stored_solution_outputs(name):
    """How many solution code cells of notebooks/NAME.ipynb have stored outputs."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return sum(1 for cell in notebook["cells"]
               if "solution" in cell.get("metadata", {}).get("tags", [])
               and cell["cell_type"] == "code" and cell.get("outputs"))


@pytest.mark.parametrize("name", SOLUTION_PAGES)
def test_solution_outputs_stay_hidden_until_opened(site, watched_page, name):
    """Every solution, its code and its printed answer, is folded (tag hide-cell)."""
    page = watched_page.page
    page.goto(f"{site}/notebooks/{name}.html", wait_until="load")
    solutions = page.locator(".cell.tag_solution")
    assert solutions.count() == solution_cell_count(name, "code")
    with_outputs = 0
    for index in range(solutions.count()):
        cell = solutions.nth(index)
        assert "tag_hide-cell" in cell.get_attribute("class"), f"solution {index + 1} not folded"
        toggle = cell.locator("details.hide > summary")
        assert toggle.count() == 1, f"solution {index + 1} has no dropdown"
        shown = [part for part in (cell.locator(".cell_input"), cell.locator(".cell_output"))
                 if part.count()]
        with_outputs += cell.locator(".cell_output").count() > 0
        for part in shown:
            assert not part.first.is_visible(), f"solution {index + 1} shows before it is opened"
        toggle.click()
        for part in shown:
            part.first.wait_for(state="visible", timeout=10_000)
    assert with_outputs == stored_solution_outputs(name), "a solution's output is missing"

    # A written solution (markdown cell) folds itself into a <details> of its own.
    written = page.locator("article details:not(.hide)").filter(
        has=page.locator("summary", has_text=re.compile("solution", re.IGNORECASE)))
    assert written.count() >= solution_cell_count(name, "markdown"), \
        "a written solution is not folded into a <details> whose summary says 'solution'"
    for index in range(written.count()):
        body = written.nth(index).locator(":scope > :not(summary)").first
        assert not body.is_visible(), f"written solution {index + 1} shows before it is opened"
        written.nth(index).locator("summary").first.click()
        body.wait_for(state="visible", timeout=10_000)
    assert not watched_page.errors, "\n".join(watched_page.errors)
