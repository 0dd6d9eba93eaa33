"""The anatomy checks find what they should on small made-up notebooks (each can fail)."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from . import anatomy

FOLDED = {
    "tags": ["hide-input"],
    "jupyter": {"source_hidden": True},
    "cellView": "form",
}
STUDENT = (
    "def my_relu(x):\n    raise NotImplementedError\n\n\nexercises.check_relu(my_relu)"
)
SOLUTION = (
    "# @title Solution (double-click to show the code)\n"
    "def solution_relu(x):\n    return x.clamp(min=0)\n\n\n"
    "exercises.check_relu(solution_relu, strict=True)"
)
PROSE = "<details>\n<summary>Solution</summary>\n\n$x = 1$\n\n</details>"


def converted() -> nbformat.NotebookNode:
    return new_notebook(
        cells=[
            new_code_cell("history = fit(model, train, validation, epochs=2)"),
            new_markdown_cell("## Exercises\n\n" + PROSE),
            new_code_cell(STUDENT),
            new_code_cell(SOLUTION, metadata=FOLDED),
        ]
    )


def test_a_converted_notebook_passes_every_check():
    notebook = converted()
    for check in (
        anatomy.validation_on_test_data,
        anatomy.dropdown_solutions,
        anatomy.details_without_summary,
        anatomy.unfolded_solution_cells,
        anatomy.overwritten_student_functions,
        anatomy.missing_checked_exercise,
    ):
        assert check(notebook) == [], check.__name__


def test_test_data_as_validation_is_found():
    for source in (
        "fit(model, train, (X_test, y_test))",
        "train_steps(model, train, val_data=test_data, steps=3)",
        "fit(model, train, val_data=data.test)",
    ):
        notebook = new_notebook(cells=[new_code_cell(source)])
        assert anatomy.validation_on_test_data(notebook), source
    fine = new_notebook(
        cells=[new_code_cell("clf.fit(X_test, y_test)\nevaluate(m, test)")]
    )
    assert anatomy.validation_on_test_data(fine) == []


def test_old_style_solutions_are_found():
    dropdown = "```{admonition} Solution\n:class: dropdown\n\nx\n```"
    notebook = new_notebook(cells=[new_markdown_cell(dropdown)])
    assert anatomy.dropdown_solutions(notebook)
    no_summary = new_notebook(cells=[new_markdown_cell("<details>\n\nx\n\n</details>")])
    assert anatomy.details_without_summary(no_summary)
    unclosed = new_notebook(
        cells=[new_markdown_cell("<details><summary>S</summary>\nx")]
    )
    assert anatomy.details_without_summary(unclosed)


def test_a_solution_cell_missing_any_fold_is_found():
    for key in ("tags", "jupyter", "cellView"):
        metadata = {k: v for k, v in FOLDED.items() if k != key}
        notebook = new_notebook(cells=[new_code_cell(SOLUTION, metadata=metadata)])
        assert anatomy.unfolded_solution_cells(notebook), key
    untitled = SOLUTION.split("\n", 1)[1]
    notebook = new_notebook(cells=[new_code_cell(untitled, metadata=FOLDED)])
    assert anatomy.unfolded_solution_cells(notebook)


def test_a_solution_that_overwrites_the_students_function_is_found():
    overwrite = "def my_relu(x):\n    return x.clamp(min=0)"
    notebook = new_notebook(cells=[new_code_cell(STUDENT), new_code_cell(overwrite)])
    assert anatomy.overwritten_student_functions(notebook)


def test_an_unchecked_exercise_is_found():
    notebook = converted()
    notebook.cells[2].source = "def my_relu(x):\n    raise NotImplementedError"
    assert anatomy.missing_checked_exercise(notebook)
    notebook = converted()
    notebook.cells[3].source = notebook.cells[3].source.replace(", strict=True", "")
    assert anatomy.missing_checked_exercise(notebook)
