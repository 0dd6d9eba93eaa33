"""The benchmark code runs, and its report says what it measured (``make bench``)."""

from __future__ import annotations

import pytest
import torch

from benchmarks import report, scratch, training
from benchmarks.notebooks import BOOK_BUDGET, budget_for
from tests.notebooks.common import book_notebooks


@pytest.mark.parametrize("name", list(training.WORKLOADS))
def test_every_training_workload_trains_on_the_cpu(name):
    assert training.throughput(name, torch.device("cpu"), repeat=2) > 0


def test_compare_times_both_sides_on_the_same_arguments():
    seen = []

    def mine(x):
        seen.append(("mine", x))
        return x + 1

    def theirs(x):
        seen.append(("theirs", x))
        return x + 1

    row = scratch.compare("add one", "scalar", mine, theirs, 41)
    assert {name for name, _ in seen} == {"mine", "theirs"}
    assert all(x == 41 for _, x in seen)
    assert row["ratio"] == pytest.approx(row["scratch_ms"] / row["torch_ms"])


def test_budgets_cover_every_notebook():
    for path in book_notebooks():
        expected = 90.0 if path.parent.name == "05_attention" else 60.0
        assert budget_for(path) == expected
    assert BOOK_BUDGET == 480.0


def test_report_marks_missed_budgets_and_skipped_gpu():
    results = {
        "machine": {
            "date": "2026-01-01",
            "cpu": "Test CPU",
            "cores": 2,
            "torch": "2.x",
            "python": "3.11",
            "device": "cpu",
        },
        "notebooks": {
            "notebooks": [
                {
                    "notebook": "a.ipynb",
                    "median_s": 70.0,
                    "budget_s": 60.0,
                    "within_budget": False,
                    "runs_s": [70.0],
                },
            ],
            "book": {
                "median_s": 70.0,
                "runs_s": [70.0],
                "budget_s": 480.0,
                "within_budget": True,
            },
        },
        "gpu_matmul": [],
    }
    text = report.markdown(results)
    assert "Test CPU, 2 cores" in text
    assert "| `a.ipynb` | 70.0 | 60 | **NO** |" in text
    assert "Skipped: no CUDA GPU" in text
