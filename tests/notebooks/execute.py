"""Re-execute notebooks in place so their stored outputs are current (``make notebooks``).

Each notebook runs top to bottom in a fresh kernel, in its own folder, with
progress bars off (``COURSE_PROGRESS=0``) so the stored output is the per-epoch
summary rather than a frozen bar. Widget state is not stored: the book shows a
static figure for every explorer and must not load widget JavaScript.

Usage:
    python tests/notebooks/execute.py [NOTEBOOK ...]   (default: every notebook in chapters/)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]


def notebooks() -> list[Path]:
    """Every notebook of the book, in a stable order."""
    return sorted(
        p
        for p in (ROOT / "chapters").glob("*/*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def run(path: Path, timeout: int = 600) -> tuple[nbformat.NotebookNode, float]:
    """Run one notebook in a fresh kernel, in its folder, without saving it.

    Returns the executed notebook and its wall time in seconds, kernel start included.
    """
    os.environ["COURSE_PROGRESS"] = "0"  # inherited by the kernel
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
    )
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    return notebook, seconds


def execute(path: Path, timeout: int = 600) -> float:
    """Run one notebook in place; return its wall time in seconds (kernel start included)."""
    notebook, seconds = run(path, timeout)
    nbformat.write(notebook, path)
    return seconds


def main(arguments: list[str]) -> int:
    paths = [Path(a).resolve() for a in arguments] or notebooks()
    for path in paths:
        seconds = execute(path)
        print(f"{seconds:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
