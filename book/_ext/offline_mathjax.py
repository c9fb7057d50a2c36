"""Render the maths with a MathJax served by the site itself.

Sphinx loads MathJax from a CDN by default, so a site built without (or
viewed without) network access shows raw LaTeX. The MathJax 2.7 files that
the ``jupyter-server-mathjax`` package ships are copied into the site's
``_static/mathjax`` folder and the pages point there instead.
"""

import shutil
from pathlib import Path

import jupyter_server_mathjax

MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
TARGET = "mathjax"  # inside _static/


def _configure(app, config):
    config.mathjax_path = f"{TARGET}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    config.mathjax3_config = None
    # The package ships the STIX-Web fonts only (as Jupyter's classic notebook
    # does), so tell MathJax to use them rather than look for others.
    config.mathjax2_config = {
        "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                    "processEscapes": True},
        "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                     "imageFont": None},
        "SVG": {"font": "STIX-Web"},
        "messageStyle": "none",
    }


def _copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / TARGET
        if not (target / "MathJax.js").is_file():
            shutil.copytree(MATHJAX, target, dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", _configure)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
