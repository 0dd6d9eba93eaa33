"""Wall time of every notebook, run top to bottom in a fresh kernel (kernel start included).

Each run is timed directly by :func:`course_utils.notebooks.run`: from asking for
a kernel to the reply of the last cell. The kernel's shutdown, which waits for the
process in polling steps, is left out (it made earlier times cluster at whole
seconds).
"""

from __future__ import annotations

import statistics
from pathlib import Path

from course_utils.notebooks import book_notebooks, run

ROOT = Path(__file__).resolve().parents[1]

# Seconds per notebook on a 2-core CPU, as the issues set them: 60 s, and 90 s for the
# chapters that train or load larger models.
NOTEBOOK_BUDGET = 60.0
CHAPTER_BUDGETS = {"05_attention": 90.0, "07_applications": 90.0, "08_llm": 90.0}
BOOK_BUDGET = 15 * 60.0  # the whole book, one notebook after another


def budget_for(path: Path) -> float:
    return CHAPTER_BUDGETS.get(path.parent.name, NOTEBOOK_BUDGET)


def time_notebooks(runs: int, paths: list[Path] | None = None, timer=run) -> dict:
    """Run the whole book ``runs`` times; report medians per notebook and for the book.

    Each run is one pass over every notebook, in order. The book's time of a pass
    is the sum of its notebooks' times (what a reader or CI waits for, one
    notebook after another). ``timer(path)`` runs one notebook and returns a
    :class:`course_utils.notebooks.NotebookRun`.
    """
    if runs < 1:
        raise ValueError(f"time_notebooks: runs must be >= 1, got {runs}")
    paths = paths or book_notebooks(ROOT)
    seconds: dict[Path, list[float]] = {path: [] for path in paths}
    kernel: dict[Path, list[float]] = {path: [] for path in paths}
    passes = []
    for index in range(runs):
        total = 0.0
        for path in paths:
            result = timer(path)
            seconds[path].append(result.seconds)
            kernel[path].append(result.kernel_start_s)
            total += result.seconds
            print(f"  run {index + 1}/{runs}  {result.seconds:6.1f} s  {_name(path)}")
        passes.append(total)
    rows = [
        {
            "notebook": _name(path),
            "median_s": statistics.median(values),
            "min_s": min(values),
            "max_s": max(values),
            "runs_s": values,
            "kernel_start_median_s": statistics.median(kernel[path]),
            "budget_s": budget_for(path),
            "within_budget": statistics.median(values) <= budget_for(path),
        }
        for path, values in seconds.items()
    ]
    book = statistics.median(passes)
    return {
        "notebooks": rows,
        "book": {
            "median_s": book,
            "min_s": min(passes),
            "max_s": max(passes),
            "runs_s": passes,
            "budget_s": BOOK_BUDGET,
            "within_budget": book <= BOOK_BUDGET,
        },
    }


def _name(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
