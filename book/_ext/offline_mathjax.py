"""Render the maths with a MathJax served by the site itself.

Sphinx loads MathJax from a CDN by default, so a site built or read without
network access shows raw LaTeX. The ``django-static-mathjax`` package (a
plain copy of MathJax 3, with no dependencies; its Django glue is not used)
ships the files; the parts a page needs are copied into the site's
``_static/mathjax`` folder and the pages load MathJax from there.

Every page loads it, not only those with maths in their text: the sidebar's
table of contents has maths in some titles (04c's "$M$ or $M+1$?"), and on
the search and index pages it would otherwise stay raw LaTeX.
"""

import shutil
from pathlib import Path

import mathjax  # the django-static-mathjax package

MATHJAX = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
TARGET = "mathjax"  # inside _static/
SCRIPT = "tex-mml-chtml.js"
# What tex-mml-chtml.js loads on demand: TeX extensions, the CHTML fonts,
# the context menu and its accessibility parts.
FOLDERS = ("input", "output", "ui", "a11y", "adaptors")


def _configure(app, config):
    config.mathjax_path = f"{TARGET}/{SCRIPT}"


def _copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / TARGET
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(MATHJAX / SCRIPT, target / SCRIPT)
        for folder in FOLDERS:
            shutil.copytree(MATHJAX / folder, target / folder, dirs_exist_ok=True)


def setup(app):
    app.set_html_assets_policy("always")  # MathJax on every page (see above)
    app.connect("config-inited", _configure)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
