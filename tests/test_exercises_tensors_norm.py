"""Checkers of the tensors-and-autograd and initialization-and-normalization exercises."""

import math

import pytest
import torch
import torch.nn.functional as F

from course_utils.autograd import Value
from course_utils.exercises import (
    ExerciseFailed,
    check_broadcast_shape,
    check_layer_norm,
    check_value_sigmoid,
)
from course_utils.nn.functional import layer_norm


def right_broadcast(a, b):
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"{x} and {y} do not broadcast")
        out.append(y if x == 1 else x)
    return tuple(out)


def test_broadcast_shape_right_answer_passes(capsys):
    assert check_broadcast_shape(right_broadcast, strict=True).cases == 12
    assert "PASS" in capsys.readouterr().out


def test_broadcast_shape_wrong_answers_are_caught():
    def aligned_left(a, b):  # pads on the wrong side
        n = max(len(a), len(b))
        a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
        return tuple(max(x, y) for x, y in zip(a, b))

    result = check_broadcast_shape(aligned_left, verbose=False)
    assert not result.passed and "expected" in result.message

    def never_raises(a, b):
        try:
            return right_broadcast(a, b)
        except ValueError:
            return ()

    result = check_broadcast_shape(never_raises, verbose=False)
    assert not result.passed and "raise ValueError" in result.message

    def takes_the_max(a, b):  # right except for a dimension of size 0 against 1
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
        if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
            raise ValueError("no")
        return tuple(max(x, y) for x, y in zip(a, b))

    result = check_broadcast_shape(takes_the_max, verbose=False)
    assert not result.passed and "(0, 3)" in result.message
    with pytest.raises(ExerciseFailed):
        check_broadcast_shape(lambda a, b: (1,), strict=True, verbose=False)


def test_broadcast_shape_unwritten_says_so():
    def stub(a, b):
        raise NotImplementedError

    result = check_broadcast_shape(stub, verbose=False)
    assert not result.passed and "not written yet" in result.message


def test_value_sigmoid_right_answers_pass():
    def with_local_gradient(x):
        s = 1 / (1 + math.exp(-x.data))
        return Value.from_parents(s, (x,), (s * (1 - s),), "sigmoid")

    assert check_value_sigmoid(with_local_gradient, strict=True, verbose=False)
    assert check_value_sigmoid(lambda x: 1 / (1 + (-x).exp()), verbose=False)


def test_value_sigmoid_wrong_answers_are_caught():
    def wrong_gradient(x):
        s = 1 / (1 + math.exp(-x.data))
        return Value.from_parents(s, (x,), (s,), "sigmoid")

    result = check_value_sigmoid(wrong_gradient, verbose=False)
    assert not result.passed and "gradient" in result.message

    def cut_from_the_graph(x):
        return Value(1 / (1 + math.exp(-x.data)))

    result = check_value_sigmoid(cut_from_the_graph, verbose=False)
    assert not result.passed and "parent" in result.message

    result = check_value_sigmoid(lambda x: 1 / (1 + math.exp(-x.data)), verbose=False)
    assert not result.passed and "must return a Value" in result.message

    result = check_value_sigmoid(lambda x: x.tanh(), verbose=False)
    assert not result.passed and "expected" in result.message


def test_layer_norm_checker():
    assert check_layer_norm(layer_norm, strict=True, verbose=False).cases == 12

    def over_the_batch(input, normalized_shape, weight=None, bias=None, eps=1e-5):
        return F.batch_norm(input, None, None, weight, bias, training=True, eps=eps)

    assert not check_layer_norm(over_the_batch, verbose=False)

    def unbiased(input, normalized_shape, weight=None, bias=None, eps=1e-5):
        dims = tuple(range(-len(normalized_shape), 0))
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, keepdim=True)  # n - 1: not what layer norm uses
        out = (input - mean) / torch.sqrt(var + eps)
        return out * weight + bias if weight is not None else out

    result = check_layer_norm(unbiased, verbose=False)
    assert not result.passed and "values differ" in result.message
