"""Run a notebook top to bottom in a fresh kernel, and time it.

This is how the course's notebooks are re-executed so that their stored outputs
are current (``make notebooks``), and how ``make bench`` times them. Each
notebook runs in its own folder, in a fresh ``python3`` kernel, with progress
bars off (``COURSE_PROGRESS=0`` in the kernel's environment) so that the stored
output is the one-line summary of each epoch rather than a frozen bar, and with one
OpenMP thread (unless ``OMP_NUM_THREADS`` says otherwise), as ``make test`` runs it. Widget
state is not stored: the book shows a static figure for every explorer and must
not load widget JavaScript.

The time is measured directly, from asking for a kernel to the reply of the last
cell (what a reader waits for). The kernel's shutdown is not included: a graceful
shutdown waits for the kernel process in polling steps, which would add a
variable delay that has nothing to do with the notebook.

From the repository root::

    python -m course_utils.notebooks [NOTEBOOK ...]   # default: every notebook in chapters/

Example:
    >>> from pathlib import Path
    >>> book_notebooks(Path("a folder without chapters"))
    []
    >>> NotebookRun(notebook=None, kernel_start_s=1.5, cells_s=2.0).seconds
    3.5
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NotebookRun", "book_notebooks", "run", "execute", "main"]


@dataclass(frozen=True)
class NotebookRun:
    """An executed notebook and how long it took, in seconds of wall time."""

    notebook: object  # an nbformat.NotebookNode
    kernel_start_s: float  # from asking for a kernel until it answers
    cells_s: float  # from then until the last cell has replied

    @property
    def seconds(self) -> float:
        """Kernel start and every cell: the time a reader waits."""
        return self.kernel_start_s + self.cells_s


def book_notebooks(root: Path | str = ".") -> list[Path]:
    """Every notebook under ``root/chapters/``, one folder deep, in a stable order."""
    paths = Path(root).glob("chapters/*/*.ipynb")
    return sorted(p for p in paths if ".ipynb_checkpoints" not in p.parts)


def run(path: Path | str, timeout: int = 600) -> NotebookRun:
    """Run the notebook at ``path`` in a fresh kernel, in its folder, without saving it.

    ``timeout`` is the limit per cell, in seconds. A cell that raises stops the run
    with nbclient's ``CellExecutionError``.
    """
    import nbformat  # imported here: the course package does not need Jupyter
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        shutdown_kernel="immediate",  # the outputs are in; nothing to wait for
    )
    clock = {"asked": time.perf_counter()}
    client.on_notebook_start = lambda **_: clock.update(ready=time.perf_counter())
    client.on_cell_executed = lambda **_: clock.update(last=time.perf_counter())
    # One OpenMP thread unless told otherwise: `make test` runs nbval with one thread per
    # kernel on 2 cores, and a few results (a learning rate picked on validation,
    # say) change in the last digit with the number of threads summing a matmul.
    threads = os.environ.get("OMP_NUM_THREADS", "1")
    client.execute(
        env={**os.environ, "COURSE_PROGRESS": "0", "OMP_NUM_THREADS": threads}
    )
    ready = clock.get("ready", clock["asked"])
    last = clock.get("last", ready)  # a notebook without code cells
    notebook.metadata.pop("widgets", None)
    return NotebookRun(notebook, ready - clock["asked"], last - ready)


def execute(path: Path | str, timeout: int = 600) -> NotebookRun:
    """Run the notebook at ``path`` and save it in place, outputs included."""
    import nbformat

    result = run(path, timeout)
    nbformat.write(result.notebook, Path(path))
    return result


def main(arguments: list[str], root: Path | str = ".") -> int:
    """Execute each named notebook in place (every notebook of the book if none)."""
    paths = [Path(a) for a in arguments] or book_notebooks(root)
    for path in paths:
        result = execute(path)
        print(f"{result.seconds:6.1f} s  {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
