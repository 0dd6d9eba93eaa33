"""The Colab-like run (``make test-colab``) really uses Colab's ipywidgets, kernel included."""

from __future__ import annotations

import os

import ipywidgets
import nbformat
import pytest
from nbclient import NotebookClient

EXPECTED = os.environ.get("COURSE_EXPECT_IPYWIDGETS")
pytestmark = pytest.mark.skipif(
    not EXPECTED, reason="only in the Colab-like run (make test-colab)"
)


def test_this_process_imports_the_expected_ipywidgets():
    assert ipywidgets.__version__ == EXPECTED


def test_a_notebook_kernel_imports_the_expected_ipywidgets_and_shows_a_widget():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import ipywidgets\nprint(ipywidgets.__version__)\nipywidgets.IntSlider(3)"
        )
    ]
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    outputs = notebook.cells[0].outputs
    assert outputs[0]["text"].strip() == EXPECTED
    assert "application/vnd.jupyter.widget-view+json" in outputs[1]["data"]
