"""nbval's comment markers are matched exactly: a marker line with anything after
it (``# NBVAL_IGNORE_OUTPUT: because ...``) is silently not a marker, and the cell
is compared after all. So every comment line that names an ``NBVAL_`` marker must be
one of nbval's own markers, alone on its line; the reason goes on the next line.
"""

import json
from pathlib import Path

import pytest
from nbval.plugin import comment_markers, find_comment_markers

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def code_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            yield index, "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_nbval_marker_is_one_nbval_recognises(path):
    for index, source in code_cells(path):
        meant = [line.strip().lstrip("#").strip() for line in source.splitlines()
                 if line.strip().startswith("#") and "NBVAL_" in line]
        recognised = list(find_comment_markers(source))
        assert len(recognised) == len(meant), (
            f"{path.name} cell {index}: nbval recognises {len(recognised)} of the markers "
            f"{meant}; a marker must be alone on its line, one of {sorted(comment_markers)}")


def test_the_check_catches_a_marker_with_a_reason_on_its_line():
    source = "# NBVAL_IGNORE_OUTPUT: the reason\nprint(1)\n"
    assert list(find_comment_markers(source)) == []
    assert list(find_comment_markers("# NBVAL_IGNORE_OUTPUT\n# the reason\n")) != []
