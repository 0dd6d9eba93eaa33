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


# ----------------------------------------------------------------------------- attention
from course_utils.checks import check_attention  # noqa: E402
from course_utils.nn import scaled_dot_product_attention  # noqa: E402


def test_attention_check_passes_the_reference():
    result = check_attention(
        scaled_dot_product_attention,
        strict=True,
    )
    assert result.passed and result.cases == 36


def test_attention_check_catches_missing_scale_and_ignored_mask():
    def unscaled(query, key, value, attn_mask=None):
        scores = query @ key.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        return scores.softmax(-1) @ value

    def ignores_mask(query, key, value, attn_mask=None):
        return F.scaled_dot_product_attention(query, key, value)

    def inverted_mask(query, key, value, attn_mask=None):
        if attn_mask is not None:
            attn_mask = ~attn_mask
            attn_mask[..., 0] = True
        return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask)

    for wrong in (unscaled, ignores_mask, inverted_mask):
        result = check_attention(wrong)
        assert not result.passed and "values differ" in result.message, wrong.__name__
