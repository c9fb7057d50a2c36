"""Figures everyone can read: a text alternative for each, and a sharp resolution.

WCAG 2.1 AA (success criterion 1.1.1) asks for a text alternative for every
non-text content. myst-nb writes a cell's ``metadata.mystnb.image.alt`` into
the ``alt`` of the ``<img>`` it makes of that cell's figure on the website, so
every code cell with an image/png output carries one: a sentence or two that
says what the figure shows and what to see in it, different for every figure
of a notebook, in words a screen reader reads out well (no LaTeX).

Figures are drawn at :data:`emlib.plotting.style.FIGURE_DPI` (150) or more,
for readers who zoom in: importing ``emlib.plotting`` raises matplotlib's
``figure.dpi`` (what the inline backend of JupyterLab and of the website
renders at) and ``savefig.dpi``. Checked in a fresh interpreter, against the
pixel size that inches times dots per inch must give, and on the PNGs stored
in the notebooks.
"""

import base64
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

MIN_ALT_LENGTH = 40
MIN_DPI = 150
# Openings that only say that there is a picture, not what it shows.
PLACEHOLDER = re.compile(r"^\s*(an?\s+|the\s+)?(figure|image|picture|graph|plot|chart|output)"
                         r"(\s+\d+)?\s*[.:]?\s*$|^\s*<Figure\b", re.IGNORECASE)
# What a screen reader spells out character by character: LaTeX and its sub/superscripts.
MARKUP = re.compile(r"[$\\^_{}]")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def figure_cells(notebook):
    """(index, cell) of every code cell with an image/png output."""
    return [(index, cell) for index, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code"
            and any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))]


def alt_text(cell):
    """The alt text myst-nb gives the cell's images, or None."""
    image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
    return image.get("alt") if isinstance(image, dict) else None


def alt_problems(notebook):
    """Why the figures of a notebook (a dict) fall short; empty when they are all described."""
    problems, seen = [], {}
    for index, cell in figure_cells(notebook):
        alt = alt_text(cell)
        if not isinstance(alt, str) or not alt.strip():
            problems.append(f"cell {index}: no alt text (metadata.mystnb.image.alt)")
            continue
        if len(alt.strip()) < MIN_ALT_LENGTH:
            problems.append(f"cell {index}: alt text of {len(alt.strip())} characters is too "
                            f"short to say what the figure shows: {alt!r}")
        if PLACEHOLDER.match(alt) or alt.strip().lower().endswith(".png"):
            problems.append(f"cell {index}: alt text names no content: {alt!r}")
        if MARKUP.search(alt):
            problems.append(f"cell {index}: alt text has LaTeX or markup a screen reader "
                            f"spells out: {MARKUP.findall(alt)} in {alt!r}")
        key = " ".join(alt.lower().split())
        if key in seen:
            problems.append(f"cells {seen[key]} and {index} share the alt text {alt!r}")
        seen.setdefault(key, index)
    return problems


# --------------------------------------------------------------------------
# the check itself can fail


def _notebook(*alts, image=True):
    data = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"} if image else {
        "text/plain": "1"}
    cells = []
    for alt in alts:
        metadata = {} if alt is None else {"mystnb": {"image": {"alt": alt}}}
        cells.append({"cell_type": "code", "metadata": metadata, "source": "plot()",
                      "outputs": [{"output_type": "display_data", "data": data,
                                   "metadata": {}}]})
    return {"cells": cells}


GOOD = "Histogram of the data with the fitted three-component mixture drawn over it."


def test_alt_check_accepts_distinct_descriptions():
    assert alt_problems(_notebook(GOOD, GOOD.replace("three", "two"))) == []
    # a cell without a figure needs no alt
    assert alt_problems(_notebook(None, image=False)) == []


@pytest.mark.parametrize("alts, complaint", [
    ((None,), "no alt text"),
    (("",), "no alt text"),
    (("A mixture fit.",), "too short"),
    (("Figure",), "names no content"),
    (("<Figure size 600x400 with 1 Axes> and nothing else at all",), "names no content"),
    (("0b9f2c1e7d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c.png",), "names no content"),
    (("The profile of $\\ln L$ over the mean of the broad left component.",), "LaTeX"),
    ((GOOD, GOOD.upper()), "share the alt text"),
])
def test_alt_check_finds_what_is_missing(alts, complaint):
    problems = alt_problems(_notebook(*alts))
    assert problems and complaint in " ".join(problems), problems


# --------------------------------------------------------------------------
# the notebooks


def test_the_course_has_figures():
    assert sum(len(figure_cells(load(path))) for path in NOTEBOOKS) >= 30


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_figure_has_its_own_text_alternative(path):
    problems = alt_problems(load(path))
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def stored_png_dpis(notebook):
    """(cell index, horizontal dpi) of every PNG stored in a notebook."""
    found = []
    for index, cell in figure_cells(notebook):
        for output in cell["outputs"]:
            if "image/png" in output.get("data", {}):
                image = Image.open(io.BytesIO(base64.b64decode(output["data"]["image/png"])))
                found.append((index, image.info.get("dpi", (0, 0))[0]))
    return found


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if figure_cells(load(p))],
                         ids=lambda path: path.stem)
def test_stored_figures_are_drawn_at_150_dpi_or_more(path):
    # PNG stores pixels per metre, so 150 dpi reads back as 149.9...
    low = [(index, round(dpi, 1)) for index, dpi in stored_png_dpis(load(path))
           if round(dpi) < MIN_DPI]
    assert not low, (f"{path.name}: figures below {MIN_DPI} dpi (cell, dpi): {low}; "
                     "re-execute it (python3 course.py execute)")


# --------------------------------------------------------------------------
# emlib.plotting's resolution, in a fresh interpreter


def run_fresh(code):
    """Run code in a new interpreter with the Agg backend; return what it prints, as JSON."""
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


RENDER = """
    import io, json
    import matplotlib
    before = matplotlib.rcParams["figure.dpi"]
    {setup}
    from emlib.plotting import style
    from IPython.core.pylabtools import print_figure  # what the inline backend calls
    from PIL import Image
    ax = style.new_axes(figsize=(6, 4))
    ax.plot([0, 1], [0, 1])
    inline = Image.open(io.BytesIO(print_figure(ax.figure, "png", bbox_inches=None)))
    saved = io.BytesIO()
    ax.figure.savefig(saved, format="png")
    saved = Image.open(saved)
    print(json.dumps({{"before": before, "constant": style.FIGURE_DPI,
                      "figure_dpi": matplotlib.rcParams["figure.dpi"],
                      "inline_size": inline.size, "inline_dpi": inline.info["dpi"][0],
                      "saved_size": saved.size, "saved_dpi": saved.info["dpi"][0]}}))
"""


def test_figures_are_rendered_at_150_dpi_inline_and_saved():
    result = run_fresh(RENDER.format(setup=""))
    assert result["before"] < MIN_DPI  # matplotlib's own default (100) needs raising
    assert result["constant"] >= MIN_DPI
    assert result["figure_dpi"] == result["constant"]
    # a 6 x 4 inch figure at 150 dpi has 900 x 600 pixels, inline and saved alike
    expected = [round(6 * result["constant"]), round(4 * result["constant"])]
    assert result["inline_size"] == expected
    assert result["saved_size"] == expected
    assert round(result["inline_dpi"]) == round(result["saved_dpi"]) == result["constant"]


def test_a_higher_resolution_chosen_by_the_user_is_kept():
    setup = 'matplotlib.rcParams["figure.dpi"] = 200; matplotlib.rcParams["savefig.dpi"] = 300'
    result = run_fresh(RENDER.format(setup=setup))
    assert result["figure_dpi"] == 200
    assert result["inline_size"] == [1200, 800]
    assert result["saved_size"] == [1800, 1200]


def test_a_lower_saved_resolution_is_raised():
    result = run_fresh(RENDER.format(setup='matplotlib.rcParams["savefig.dpi"] = 72'))
    assert result["saved_size"] == [900, 600]
