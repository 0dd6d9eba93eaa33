"""Exercise checkers must pass right answers and catch wrong ones, with a useful message."""

import pytest
import torch
import torch.nn.functional as F

from course_utils.checks import (
    ExerciseFailed,
    check_conv2d,
    check_function,
    check_max_pool2d,
)
from course_utils.nn import conv2d, max_pool2d


def test_right_answers_pass(capsys):
    assert check_conv2d(conv2d)
    assert check_conv2d(conv2d, stride=True).cases == 24
    assert check_max_pool2d(max_pool2d)
    assert capsys.readouterr().out.count("PASS") == 3


def test_forgetting_padding_is_caught():
    def no_padding(input, weight, padding=0):
        return F.conv2d(input, weight)

    result = check_conv2d(no_padding)
    assert not result.passed
    assert "expected shape" in result.message and "padding=1" in result.message


def test_flipping_the_kernel_is_caught():
    def flipped(input, weight, padding=0):
        return F.conv2d(input, weight.flip(-1, -2), padding=padding)

    result = check_conv2d(flipped, strict=False)
    assert not result.passed and "values differ" in result.message


def test_unwritten_and_crashing_functions_are_reported_not_raised():
    def todo(input, weight, padding=0):
        raise NotImplementedError

    def crashes(input, kernel_size, stride=None):
        return input[99]

    assert "not written yet" in check_conv2d(todo).message
    assert "IndexError" in check_max_pool2d(crashes).message


def test_strict_mode_raises():
    with pytest.raises(ExerciseFailed, match="NOT YET"):
        check_function(
            lambda x: x + 1, lambda x: x, [{"x": torch.zeros(2)}], strict=True
        )


def test_non_tensor_result_and_bad_arguments():
    result = check_function(
        lambda x: None, lambda x: x, [{"x": torch.zeros(2)}], verbose=False
    )
    assert "expected a tensor, got NoneType" in result.message
    with pytest.raises(TypeError, match="function to check"):
        check_function(3, lambda x: x, [{"x": torch.zeros(2)}])
    with pytest.raises(ValueError, match="at least one case"):
        check_function(lambda x: x, lambda x: x, [])
