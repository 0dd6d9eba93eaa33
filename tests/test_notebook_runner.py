"""The notebook runner (``course_utils.notebooks``): outputs, environment, timing."""

from __future__ import annotations

import subprocess
import sys
import time

import nbformat
import pytest

from course_utils.notebooks import NotebookRun, book_notebooks, execute, main, run

SLEEP_S = 0.4


def _write_notebook(folder, name="probe.ipynb"):
    cells = [
        nbformat.v4.new_markdown_cell("# A probe"),
        nbformat.v4.new_code_cell(
            "import os, time\n"
            f"time.sleep({SLEEP_S})\n"
            "print(os.environ['COURSE_PROGRESS'], os.path.basename(os.getcwd()))"
        ),
        nbformat.v4.new_code_cell("6 * 7"),
    ]
    path = folder / name
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_book_notebooks_are_one_folder_deep_in_chapters(tmp_path):
    for name in ("b/2.ipynb", "a/1.ipynb", "a/.ipynb_checkpoints/1.ipynb", "x.ipynb"):
        (tmp_path / "chapters" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "chapters" / name).write_text("{}")
    found = book_notebooks(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "chapters/a/1.ipynb",
        "chapters/b/2.ipynb",
    ]


def test_seconds_are_kernel_start_plus_cells():
    assert NotebookRun(None, kernel_start_s=0.25, cells_s=2.5).seconds == 2.75


@pytest.mark.slow  # starts a kernel
def test_run_executes_in_the_notebooks_folder_without_progress_bars(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("COURSE_PROGRESS", "1")  # the kernel gets 0 all the same
    folder = tmp_path / "chapter"
    folder.mkdir()
    path = _write_notebook(folder)
    started = time.perf_counter()
    result = run(path)
    wall = time.perf_counter() - started
    cells = result.notebook.cells
    assert cells[1].outputs[0]["text"] == "0 chapter\n"
    assert cells[2].outputs[0]["data"]["text/plain"] == "42"
    assert [c.get("execution_count") for c in cells] == [None, 1, 2]
    assert "widgets" not in result.notebook.metadata
    # Timed directly: the cells' time covers the sleep, and kernel start + cells
    # fit inside the wall time of the whole call (which adds the shutdown).
    assert result.kernel_start_s > 0 and result.cells_s >= SLEEP_S
    assert result.seconds <= wall
    assert nbformat.read(path, as_version=4).cells[1].outputs == []  # not saved


@pytest.mark.slow  # starts kernels
def test_execute_saves_in_place_and_the_command_line_runs_it(tmp_path, capsys):
    path = _write_notebook(tmp_path)
    assert main([str(path)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f" s  {path}")
    assert nbformat.read(path, as_version=4).cells[2].outputs[0]["data"] == {
        "text/plain": "42"
    }
    again = execute(path)
    assert again.notebook.cells[2].execution_count == 2
    command = [sys.executable, "-m", "course_utils.notebooks", str(path)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.rstrip().endswith(f" s  {path}")
