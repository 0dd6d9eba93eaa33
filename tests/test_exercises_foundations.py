"""The foundations chapter's exercise checkers pass right answers and catch wrong ones."""

import pytest
import torch

from course_utils.exercises import (
    ExerciseFailed,
    check_activation_derivative,
    check_early_stopping,
    check_linear_backward,
    early_stopping,
)
from course_utils.nn.functional import (
    linear_backward,
    sigmoid_derivative,
    tanh_derivative,
)


def test_right_answers_pass(capsys):
    assert check_activation_derivative(tanh_derivative, "tanh")
    assert check_activation_derivative(sigmoid_derivative, "sigmoid", strict=True)
    assert check_linear_backward(linear_backward, strict=True).cases == 10
    assert capsys.readouterr().out.count("PASS") == 3


def test_wrong_derivatives_are_caught():
    # 1 - x^2 instead of 1 - tanh(x)^2: right at 0, wrong elsewhere.
    result = check_activation_derivative(
        lambda input: 1 - input**2, "tanh", verbose=False
    )
    assert not result.passed and "values differ" in result.message

    # s (1 - s) applied to the input instead of to s = sigmoid(input).
    def on_the_input(input):
        return input * (1 - input)

    assert not check_activation_derivative(on_the_input, "sigmoid", verbose=False)
    with pytest.raises(ExerciseFailed):
        check_activation_derivative(torch.ones_like, "relu", strict=True)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        check_activation_derivative(torch.ones_like, "swish")


def test_wrong_linear_backward_is_caught_and_named():
    def forgot_to_sum_bias(grad_output, input, weight):
        gi, gw, _ = linear_backward(grad_output, input, weight)
        return gi, gw, grad_output.mean(dim=0)

    result = check_linear_backward(forgot_to_sum_bias, verbose=False)
    assert not result.passed and "(grad_bias)" in result.message

    def transposed(grad_output, input, weight):
        gi, gw, gb = linear_backward(grad_output, input, weight)
        return gi, input.T @ grad_output, gb

    result = check_linear_backward(transposed, verbose=False)
    assert not result.passed and "(grad_weight)" in result.message
    assert "expected shape" in result.message

    def only_one(grad_output, input, weight):
        return grad_output @ weight

    result = check_linear_backward(only_one, verbose=False)
    assert not result.passed and "expected a tuple" in result.message


def test_unwritten_linear_backward():
    def todo(grad_output, input, weight):
        raise NotImplementedError

    assert "not written yet" in check_linear_backward(todo, verbose=False).message


# ------------------------------------------------------------------ early stopping


def _loop_like_the_notebook(val_losses, patience):
    """The training loop of the regularization notebook, reduced to its bookkeeping."""
    best, since_best = (float("inf"), None), 0
    for index, loss in enumerate(val_losses):
        if loss < best[0]:
            best, since_best = (loss, index), 0
        else:
            since_best += 1
        if since_best >= patience:
            return index, best[1]
    return len(val_losses) - 1, best[1]


def test_early_stopping_reference_matches_the_notebook_loop():
    generator = torch.Generator().manual_seed(0)
    for _ in range(300):
        length = int(torch.randint(1, 40, (1,), generator=generator))
        patience = int(torch.randint(1, 12, (1,), generator=generator))
        # few distinct values, so that ties are common
        losses = torch.randint(0, 6, (length,), generator=generator).float().tolist()
        assert early_stopping(losses, patience) == _loop_like_the_notebook(
            losses, patience
        )


def test_early_stopping_checker_passes_right_answers(capsys):
    assert check_early_stopping(_loop_like_the_notebook, strict=True).cases == 11
    assert "PASS" in capsys.readouterr().out


def test_early_stopping_checker_catches_wrong_answers():
    def non_strict(val_losses, patience):  # an equal loss counted as an improvement
        best, best_loss = 0, float("inf")
        for index, loss in enumerate(val_losses):
            if loss <= best_loss:
                best, best_loss = index, loss
            elif index - best >= patience:
                return index, best
        return len(val_losses) - 1, best

    def global_minimum(val_losses, patience):  # looks past the stopping point
        stop, _ = early_stopping(val_losses, patience)
        return stop, min(range(len(val_losses)), key=val_losses.__getitem__)

    def off_by_one(val_losses, patience):
        return early_stopping(val_losses, patience + 1)

    for wrong in (non_strict, global_minimum, off_by_one):
        result = check_early_stopping(wrong, verbose=False)
        assert not result.passed and "expected (stop, best)" in result.message, wrong
    with pytest.raises(ExerciseFailed):
        check_early_stopping(off_by_one, strict=True, verbose=False)
    result = check_early_stopping(lambda losses, patience: 3, verbose=False)
    assert not result.passed and "must return a pair" in result.message


def test_early_stopping_checker_reports_unwritten_and_crashing_functions():
    def todo(val_losses, patience):
        raise NotImplementedError

    assert "not written yet" in check_early_stopping(todo, verbose=False).message

    def crashes(val_losses, patience):
        return val_losses[patience * 100], 0

    result = check_early_stopping(crashes, verbose=False)
    assert not result.passed and "IndexError" in result.message
