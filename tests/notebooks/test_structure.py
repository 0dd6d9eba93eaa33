"""Every notebook follows the course's anatomy and is committed as a clean, complete run."""

from __future__ import annotations

import re

import pytest

from . import anatomy
from .common import ROOT, book_notebooks, code_cells, read, tags, toc_files

NOTEBOOKS = book_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_every_notebook_is_in_the_book_and_every_toc_entry_exists():
    listed = toc_files()
    for path in NOTEBOOKS:
        assert str(path.relative_to(ROOT).with_suffix("")) in listed, (
            f"{path} missing from _toc.yml"
        )
    for entry in listed:
        candidates = [ROOT / f"{entry}{ext}" for ext in (".md", ".ipynb")]
        assert any(c.exists() for c in candidates), (
            f"_toc.yml names {entry}, which does not exist"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_and_parameters_cells(path):
    cells = code_cells(read(path))
    setup = cells[0].source
    # the setup block is the template of tools/setup_cells.py (test_setup_cells.py)
    assert setup.startswith("# Setup") and "import course_utils" in setup, "setup cell"
    parameters = [c for c in cells if "parameters" in tags(c)]
    assert len(parameters) == 1, "exactly one cell tagged 'parameters'"
    for name in ("SEED", "DEVICE", "FAST"):
        assert re.search(rf"^{name} = ", parameters[0].source, re.M), (
            f"parameter {name}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_as_one_clean_run(path):
    notebook = read(path)
    cells = code_cells(notebook)
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        "re-execute top to bottom (make notebooks)"
    )
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"stored error in: {cell.source[:60]}"
            text = output.get("text", "") + str(
                output.get("data", {}).get("text/plain", "")
            )
            assert "/work/" not in text and "/home/" not in text, "a local path leaked"
    # Widget state would make the book load widget JavaScript for an output it never shows.
    assert "widgets" not in notebook.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_explorers_are_hidden_from_the_static_book(path):
    for cell in code_cells(read(path)):
        shows_widget = any(
            "application/vnd.jupyter.widget-view+json" in output.get("data", {})
            for output in cell.outputs
        )
        if shows_widget:
            assert {"remove-output", "nbval-ignore-output"} <= set(tags(cell)), (
                cell.source[:60]
            )


# ERRATA rows each chapter must answer with a "Common mistake" box (and a demonstration).
REQUIRED_MISTAKES = {
    "02_foundations/02_neurons_and_linear_regression": [
        "Common mistake: a target that broadcasts to 100 x 100 and a gradient that is not averaged"  # row 11
    ],
    "03_cnn/01_convolution": ["Common mistake: mixing up the two formulas"],  # row 4
    "03_cnn/02_pooling_and_lenet": [
        "Common mistake: the wrong flatten size",  # row 5
        "Common mistake: max pooling with weights",  # row 6
    ],
    "04_rnn/01_recurrence": [
        "Common mistake: one step of backpropagation is not BPTT",  # row 8
    ],
    "04_rnn/02_lstm_and_gru": ["Common mistake: BCELoss on two-class logits"],  # row 7
    "06_optimizers/01_from_sgd_to_adam": [
        "Common mistake: Adam without the square root"  # row 10
    ],
    "05_attention/02_transformer_encoder": [
        "Common mistake: per-token outputs trained against one label per sequence",  # row 9
    ],
    "01_history/01_threshold_logic_to_backprop": [
        "Common mistake: the artificial neuron dates from 1986",  # row 1
    ],
    "01_history/02_deep_learning_era": [
        'Common mistake: "limited supervision" as the third family of learning',  # row 13
        "Common mistake: a company listed as a model",  # row 3
        "Common mistake: a field listed as an architecture",  # row 15
    ],
    "01_history/03_what_makes_a_model_large": [
        'Common mistake: "large" means more than a million parameters',  # row 2
        "Common mistake: the Penn Treebank as a large data set",  # row 16
    ],
    "01_history/04_scaling_laws": [
        "Common mistake: more parameters always make a better model",  # row 14
    ],
    "08_llm/01_tokens": ["Common mistake: counting words or characters as tokens"],
    "08_llm/03_lora": [
        "Common mistake: a base model that is not frozen",
        "Common mistake: forgetting the alpha/r scaling",
        "Common mistake: evaluating in training mode",
    ],
    "07_applications/01_search_and_faq_assistant": [
        "Common mistake: trusting an answer that cites nothing"
    ],
    "07_applications/02_chinese_text": [
        "Common mistake: an English-only model on Chinese text"
    ],
}
CHAPTER_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent.name != "00_start"]


def _stem(path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("stem, titles", REQUIRED_MISTAKES.items())
def test_required_common_mistake_boxes_exist(stem, titles):
    text = "\n".join(c.source for c in read(ROOT / "chapters" / f"{stem}.ipynb").cells)
    for title in titles:
        assert title in text, f"{stem}: no box titled {title!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_common_mistake_boxes_are_followed_by_code(path):
    """A mistake is shown, not just described: the box is followed by a cell that runs it."""
    cells = read(path).cells
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and "Common mistake" in cell.source:
            following = cells[index + 1] if index + 1 < len(cells) else None
            assert (
                following is not None
                and following.cell_type == "code"
                and following.outputs
            ), f"{cell.source[:60]!r}: no demonstration with output after the box"


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=_stem)
def test_chapter_notebooks_have_exercises_with_solutions_and_references(path):
    text = "\n".join(c.source for c in read(path).cells)
    folded = "<details>" in text or "# @title Solution" in text
    assert "## Exercises" in text and folded and "Solution" in text
    assert "{cite}`" in text, "cite the references"


# The exercise format of the brief (folds in the book, JupyterLab and Colab), checked by
# the reusable functions of `anatomy`, over every notebook.


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_stem)
def test_no_test_set_is_used_as_validation_data(path):
    problems = anatomy.validation_on_test_data(read(path))
    assert not problems, "validation data comes from the training data: " + "; ".join(
        problems
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_stem)
def test_no_solution_is_a_myst_dropdown(path):
    problems = anatomy.dropdown_solutions(read(path))
    assert not problems, "use <details><summary>Solution</summary>: " + "; ".join(
        problems
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_stem)
def test_every_folded_prose_solution_has_a_summary(path):
    problems = anatomy.details_without_summary(read(path))
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_stem)
def test_solution_cells_are_folded_in_the_book_jupyterlab_and_colab(path):
    problems = anatomy.unfolded_solution_cells(read(path))
    assert not problems, (
        "tag hide-input, jupyter.source_hidden, cellView form, first line # @title: "
        + "; ".join(problems)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_stem)
def test_running_top_to_bottom_keeps_the_students_function(path):
    problems = anatomy.overwritten_student_functions(read(path))
    assert not problems, "a solution defines solution_..., never my_...: " + "; ".join(
        problems
    )


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=_stem)
def test_chapter_notebooks_have_an_exercise_checked_on_the_spot(path):
    problems = anatomy.missing_checked_exercise(read(path))
    assert not problems, "; ".join(problems)
