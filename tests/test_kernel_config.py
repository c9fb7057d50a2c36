"""The course kernel draws each figure once: course.py turns off the inline backend's crop.

IPython reads ``sys.prefix/etc/ipython/ipython_kernel_config.py`` for every
kernel started from the environment; course.py's setup writes it there. The
check is on a real kernel's output: an uncropped PNG is exactly figsize x dpi
pixels, a cropped one is smaller.
"""

import base64
import io
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_script import load_course

course = load_course()
IN_COURSE_VENV = Path(sys.prefix).resolve() == course.VENV.resolve()


def test_setup_writes_the_kernel_config_idempotently(tmp_path, monkeypatch):
    target = tmp_path / "etc" / "ipython" / "ipython_kernel_config.py"
    monkeypatch.setattr(course, "KERNEL_CONFIG", target)
    course.write_kernel_config()
    assert target.read_text() == course.KERNEL_CONFIG_TEXT
    target.write_text("# edited by hand\n")
    course.write_kernel_config()  # setup puts the course's version back
    assert target.read_text() == course.KERNEL_CONFIG_TEXT
    namespace = {"c": type("Config", (), {"InlineBackend": type("Inline", (), {})()})()}
    exec(course.KERNEL_CONFIG_TEXT, namespace)  # noqa: S102 - our own two lines
    assert namespace["c"].InlineBackend.print_figure_kwargs == {"bbox_inches": None}


@pytest.mark.skipif(not IN_COURSE_VENV, reason="needs the course's .venv and its kernel")
def test_the_course_kernel_stores_figures_uncropped(monkeypatch):
    from PIL import Image

    monkeypatch.setenv("MPLBACKEND", course.INLINE_BACKEND)  # as in JupyterLab, not Agg

    source = ("import matplotlib.pyplot as plt\n"
              "fig, ax = plt.subplots(figsize=(4, 3), dpi=150, layout='constrained')\n"
              "ax.plot([0, 1]); ax.set_xlabel('x')")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(notebook, kernel_name=course.KERNEL_NAME, timeout=60).execute()
    images = [output["data"]["image/png"] for output in notebook.cells[0].outputs
              if "image/png" in output.get("data", {})]
    assert len(images) == 1
    assert Image.open(io.BytesIO(base64.b64decode(images[0]))).size == (600, 450)
