"""How long each notebook takes to run top to bottom in a fresh kernel, against its budget.

The course promises that every notebook runs in under 20 s on a two-core
machine. This runs each one as a student does (a fresh kernel, the inline
backend, the course's kernel), without writing anything back, and prints its
wall time (kernel start included), its slowest cells and its margin to the
budget. Run it on a quiet machine: other work on the same cores makes every
figure meaningless. The exit code is 1 if a notebook is over budget.

Run: ``.venv/bin/python bench/bench_notebooks.py [notebook ...] [--repeat 1]``
"""

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 20.0  # seconds per notebook on two cores
KERNEL_NAME = "python3"  # the kernel course.py registers inside .venv


def cell_seconds(cell):
    """Seconds between the kernel receiving a cell and replying, from nbclient's timing."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def run_notebook(path):
    """Wall seconds for a fresh kernel to run the notebook, and (seconds, cell index) per cell."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name=KERNEL_NAME, record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    cells = [(cell_seconds(cell), index) for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code"]
    return seconds, sorted(cells, reverse=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per notebook; the slowest is reported")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"{'notebook':<42}{'wall s':>8}{'margin s':>10}   slowest cells (index: s)")
    over = []
    for path in paths:
        runs = [run_notebook(path.resolve()) for _ in range(args.repeat)]
        seconds, cells = max(runs)
        slowest = ", ".join(f"[{index}] {cell:.1f}" for cell, index in cells[:3])
        print(f"{path.name:<42}{seconds:8.1f}{BUDGET - seconds:10.1f}   {slowest}", flush=True)
        if seconds >= BUDGET:
            over.append(path.name)
    print(f"budget {BUDGET:.0f} s per notebook: "
          + ("all within it" if not over else "over it: " + ", ".join(over)))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
