"""Redraw latency of every explorer, measured by driving its controls from Python.

Every explorer in :mod:`course_utils.widgets` has a ``demo()`` classmethod that
builds a ready instance. :func:`course_utils.widgets.driver.drive` changes its
controls one after another, round robin, the way a reader would; ipywidgets
calls observers synchronously, so the time an assignment takes is the time the
explorer needs to redraw (sending the new picture to the browser is not
included).
"""

from __future__ import annotations

import statistics

from course_utils.timing import percentile
from course_utils.widgets.driver import drive, explorer_classes

LATENCY_BUDGET_MS = 100.0


def explorer_latency(changes: int = 300) -> list[dict]:
    """Median and 95th percentile redraw time of every explorer, in milliseconds."""
    rows = []
    for name, cls in explorer_classes().items():
        explorer = cls.demo()
        drive(explorer, changes=20, seed=1)  # warm-up: caches, first allocations
        per_control = drive(explorer, changes=changes)
        everything = [s * 1e3 for values in per_control.values() for s in values]
        p95 = percentile(everything, 95)
        rows.append(
            {
                "explorer": name,
                "changes": len(everything),
                "median_ms": statistics.median(everything),
                "p95_ms": p95,
                "slowest_control": max(
                    per_control, key=lambda k: statistics.median(per_control[k])
                ),
                "per_control_median_ms": {
                    k: statistics.median(v) * 1e3 for k, v in per_control.items()
                },
                "within_budget": p95 <= LATENCY_BUDGET_MS,
            }
        )
        print(f"  {name}: median {rows[-1]['median_ms']:.1f} ms, p95 {p95:.1f} ms")
    return rows
