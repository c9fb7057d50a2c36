"""Worked solutions stay folded, with their outputs, until a student opens them.

A solution's printed answer right under the exercise gives the answer away, so every
solution cell is folded in JupyterLab (source and outputs hidden) and behind a toggle on
the website (myst-nb's ``hide-cell``), while nbval still runs it and compares its outputs.
"""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def solution_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(i, cell) for i, cell in enumerate(cells)
            if "solution" in cell.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_solution_is_folded_with_its_outputs(path):
    for index, cell in solution_cells(path):
        metadata = cell["metadata"]
        assert "hide-cell" in metadata["tags"], f"{path.name} cell {index}: not hidden on the site"
        assert "hide-input" not in metadata["tags"], f"{path.name} cell {index}: output shown"
        folded = metadata.get("jupyter", {})
        assert folded.get("source_hidden") is True, f"{path.name} cell {index}: source shown"
        if cell["cell_type"] == "code":
            assert folded.get("outputs_hidden") is True, f"{path.name} cell {index}: outputs shown"


def test_the_course_has_solutions_to_hide():
    assert sum(len(solution_cells(path)) for path in NOTEBOOKS) >= 20
