"""The foundations chapter's exercise checkers pass right answers and catch wrong ones."""

import pytest
import torch

from course_utils.exercises import (
    ExerciseFailed,
    check_activation_derivative,
    check_linear_backward,
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
