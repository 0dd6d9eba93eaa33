"""Reusable checks of a notebook's anatomy: each returns the problems it finds (empty: fine).

Every function takes a notebook read with `nbformat` (see `common.read`) and returns a
list of short human-readable problems, so a test can `assert not problems, problems`
and a script can print them for every notebook at once.
"""

from __future__ import annotations

import ast
import re

from .common import code_cells, tags

SOLUTION_TITLE = "# @title"
# Trainers whose third positional argument is the validation data (course_utils.train).
VALIDATED_TRAINERS = {"fit", "train_steps"}
_DEF_STUDENT = re.compile(r"^def (my_\w+)\s*\(", re.M)
_DEF_SOLUTION = re.compile(r"^def (solution_\w+)\s*\(", re.M)
_CHECK_STUDENT = re.compile(r"\bcheck_\w+\(\s*(my_\w+)")
_CHECK_SOLUTION_STRICT = re.compile(r"\bcheck_\w+\(\s*solution_\w+[^)]*strict=True")


def _first_line(cell) -> str:
    return cell.source.lstrip().split("\n", 1)[0]


def _is_folded(cell) -> bool:
    metadata = cell.get("metadata", {})
    return (
        "hide-input" in tags(cell)
        and metadata.get("jupyter", {}).get("source_hidden") is True
        and metadata.get("cellView") == "form"
        and _first_line(cell).startswith(SOLUTION_TITLE)
    )


def _names(node) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)] + [
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    ]


def validation_on_test_data(notebook) -> list[str]:
    """Calls that pass a test set where validation data belongs.

    Validation data is carved out of the training data; the test set is touched once,
    at the end. Flags `fit(model, train, X_test)`, `train_steps(..., val_data=test)`,
    and any `val...=`/`valid...=` keyword whose value names a variable with "test" in it.
    """
    problems = []
    for cell in code_cells(notebook):
        source = "\n".join(
            line
            for line in cell.source.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _names(call.func)[-1] if _names(call.func) else ""
            suspects = [
                k.value
                for k in call.keywords
                if k.arg and k.arg.lower().startswith(("val", "eval_data"))
            ]
            if name in VALIDATED_TRAINERS and len(call.args) >= 3:
                suspects.append(call.args[2])
            for value in suspects:
                if any("test" in n.lower() for n in _names(value)):
                    problems.append(
                        f"{ast.unparse(value)!r} as validation data in {name}(...)"
                    )
    return problems


def dropdown_solutions(notebook) -> list[str]:
    """MyST `:class: dropdown` boxes, which fold in the book only (not in JupyterLab or Colab)."""
    return [
        f"dropdown in {cell.source[:50]!r}"
        for cell in notebook.cells
        if cell.cell_type == "markdown" and ":class: dropdown" in cell.source
    ]


def details_without_summary(notebook) -> list[str]:
    """`<details>` blocks whose first element is not a `<summary>` (the fold has no label)."""
    problems = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in re.finditer(r"<details>", cell.source):
            if not re.match(
                r"\s*<summary>.*?</summary>", cell.source[match.end() :], re.S
            ):
                problems.append(f"<details> without <summary> in {cell.source[:50]!r}")
        if cell.source.count("<details>") != cell.source.count("</details>"):
            problems.append(f"unclosed <details> in {cell.source[:50]!r}")
    return problems


def unfolded_solution_cells(notebook) -> list[str]:
    """Solution cells (defining `solution_...`, or titled `# @title`) not folded everywhere.

    Folded means: tag `hide-input` (the book), `jupyter.source_hidden` (JupyterLab),
    `cellView: form` and a first line `# @title ...` (Colab).
    """
    problems = []
    for cell in code_cells(notebook):
        is_solution = _DEF_SOLUTION.search(cell.source) or _first_line(cell).startswith(
            SOLUTION_TITLE
        )
        if is_solution and not _is_folded(cell):
            problems.append(f"not folded in every front end: {cell.source[:50]!r}")
    return problems


def overwritten_student_functions(notebook) -> list[str]:
    """Cells that redefine a student's `my_...` function after the cell that defines it."""
    problems = []
    first_definition: dict[str, int] = {}
    for index, cell in enumerate(code_cells(notebook)):
        for name in _DEF_STUDENT.findall(cell.source):
            if name in first_definition:
                problems.append(f"{name} redefined in {cell.source[:50]!r}")
            else:
                first_definition[name] = index
        for name in re.findall(r"^(my_\w+)\s*=", cell.source, re.M):
            if name in first_definition:
                problems.append(f"{name} reassigned in {cell.source[:50]!r}")
    return problems


def missing_checked_exercise(notebook) -> list[str]:
    """No visible checker call on a student's `my_...`, or no solution checked with strict=True."""
    problems = []
    cells = code_cells(notebook)
    visible = [c for c in cells if "hide-input" not in tags(c)]
    if not any(_CHECK_STUDENT.search(c.source) for c in visible):
        problems.append(
            "no visible cell calls a checker on the student's my_... function"
        )
    if not any(_CHECK_SOLUTION_STRICT.search(c.source) for c in cells):
        problems.append("no solution_... checked with strict=True")
    return problems
