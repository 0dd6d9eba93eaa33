"""What the notebook tests share: where the notebooks are and how to read them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from course_utils import notebooks

ROOT = Path(__file__).resolve().parents[2]


def book_notebooks() -> list[Path]:
    """Every notebook under chapters/, in a stable order (absolute paths)."""
    return notebooks.book_notebooks(ROOT)


def toc_files() -> set[str]:
    """Every file named in _toc.yml, without extension, relative to the repository root."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root"):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return found


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])
