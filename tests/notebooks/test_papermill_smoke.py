"""Smoke run: papermill executes every notebook with FAST=True injected.

papermill fails on any error output, so this proves every cell runs as written
with injected parameters (and that every notebook has a `parameters` cell).
The device follows COURSE_DEVICE (e.g. `COURSE_DEVICE=cuda make test` on a GPU box).

The kernel is the interpreter that runs this test (papermill's ``python3`` kernel
is ``sys.executable``), so ``make test-smoke SMOKE_PYTHON=/other/env/bin/python``
runs the notebooks on another Python, e.g. Colab's; the test checks that it did.
"""

from __future__ import annotations

import os
import platform

import nbformat
import papermill
import pytest

from .common import ROOT, book_notebooks


@pytest.mark.parametrize(
    "path", book_notebooks(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_notebook_runs_fast_with_injected_parameters(path, tmp_path):
    output = tmp_path / path.name
    papermill.execute_notebook(
        str(path),
        str(output),
        parameters={"FAST": True, "DEVICE": os.environ.get("COURSE_DEVICE", "auto")},
        kernel_name="python3",
        cwd=str(path.parent),
        progress_bar=False,
        execution_timeout=600,
    )
    executed = nbformat.read(output, as_version=4)
    injected = [
        c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])
    ]
    assert len(injected) == 1 and "FAST = True" in injected[0].source
    kernel_python = executed.metadata.language_info.version
    assert kernel_python == platform.python_version(), "the kernel ran another Python"
