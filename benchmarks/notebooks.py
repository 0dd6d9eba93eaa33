"""Wall time of every notebook, run top to bottom in a fresh kernel (kernel start included)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tests.notebooks.execute import ROOT, notebooks, run

# Seconds per notebook on a 2-core CPU; the attention chapter was given more.
NOTEBOOK_BUDGET = 60.0
CHAPTER_BUDGETS = {"05_attention": 90.0}
BOOK_BUDGET = 8 * 60.0


def budget_for(path: Path) -> float:
    return CHAPTER_BUDGETS.get(path.parent.name, NOTEBOOK_BUDGET)


def time_notebooks(runs: int, paths: list[Path] | None = None) -> dict:
    """Run the whole book ``runs`` times; report medians per notebook and for the book.

    Each run is one pass over every notebook, in order, so the book's time is the
    wall time of a pass (what a reader or CI waits for).
    """
    paths = paths or notebooks()
    seconds: dict[Path, list[float]] = {path: [] for path in paths}
    passes = []
    for index in range(runs):
        start = time.perf_counter()
        for path in paths:
            _, elapsed = run(path)
            seconds[path].append(elapsed)
            print(
                f"  run {index + 1}/{runs}  {elapsed:6.1f} s  {path.relative_to(ROOT)}"
            )
        passes.append(time.perf_counter() - start)
    rows = [
        {
            "notebook": str(path.relative_to(ROOT)),
            "median_s": statistics.median(values),
            "runs_s": values,
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
            "runs_s": passes,
            "budget_s": BOOK_BUDGET,
            "within_budget": book <= BOOK_BUDGET,
        },
    }
