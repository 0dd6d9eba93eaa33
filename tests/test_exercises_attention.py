"""The attention chapter's checkers: the right answer passes, typical wrong ones do not."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.exercises import (
    ExerciseFailed,
    check_cached_attention,
    check_causal_mask,
    check_mean_pooling,
    check_multi_head_attention,
)
from course_utils.nn import MultiheadAttention


def _heads(x, w_qkv, b_qkv, w_out, b_out, heads, padding=None, scale=True):
    n, length, d = x.shape
    q, k, v = (
        t.view(n, length, heads, d // heads).transpose(1, 2)
        for t in F.linear(x, w_qkv, b_qkv).chunk(3, -1)
    )
    scores = q @ k.transpose(-2, -1) / (math.sqrt(d // heads) if scale else 1.0)
    if padding is not None:
        scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))
    merged = (scores.softmax(-1) @ v).transpose(1, 2).reshape(n, length, d)
    return F.linear(merged, w_out, b_out)


def test_multi_head_attention_check():
    def right(
        x,
        in_proj_weight,
        in_proj_bias,
        out_proj_weight,
        out_proj_bias,
        num_heads,
        key_padding_mask=None,
    ):
        return _heads(
            x,
            in_proj_weight,
            in_proj_bias,
            out_proj_weight,
            out_proj_bias,
            num_heads,
            key_padding_mask,
        )

    result = check_multi_head_attention(right, strict=True)
    assert result.passed and result.cases == 18

    def course_module(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, key_padding_mask=None):  # fmt: skip
        layer = MultiheadAttention(x.shape[-1], num_heads)
        layer.load_state_dict(
            {
                "in_proj_weight": in_proj_weight,
                "in_proj_bias": in_proj_bias,
                "out_proj.weight": out_proj_weight,
                "out_proj.bias": out_proj_bias,
            }
        )
        return layer(x, x, x, key_padding_mask=key_padding_mask)[0]

    assert check_multi_head_attention(course_module, strict=True).passed

    def ignores_padding(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, key_padding_mask=None):  # fmt: skip
        return _heads(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads)  # fmt: skip

    def one_head(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, key_padding_mask=None):  # fmt: skip
        return _heads(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, 1, key_padding_mask)  # fmt: skip

    def unscaled(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, key_padding_mask=None):  # fmt: skip
        return _heads(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, num_heads, key_padding_mask, scale=False)  # fmt: skip

    for wrong in (ignores_padding, one_head, unscaled):
        result = check_multi_head_attention(wrong, strict=False)
        assert not result.passed and "values differ" in result.message, wrong.__name__
    with pytest.raises(ExerciseFailed):
        check_multi_head_attention(unscaled, strict=True)


def test_causal_mask_check():
    assert check_causal_mask(
        nn.Transformer.generate_square_subsequent_mask, strict=True
    ).passed
    assert check_causal_mask(
        lambda size: torch.ones(size, size, dtype=torch.bool).triu(1), strict=True
    ).passed

    def blocks_the_diagonal(size):
        return torch.ones(size, size, dtype=torch.bool).triu(0)

    def allowed_is_true(size):  # the convention of F.scaled_dot_product_attention
        return torch.ones(size, size, dtype=torch.bool).tril()

    def lower_triangle_blocked(size):
        return torch.zeros(size, size).masked_fill(
            torch.ones(size, size, dtype=torch.bool).tril(-1), float("-inf")
        )

    for wrong in (blocks_the_diagonal, allowed_is_true, lower_triangle_blocked):
        assert not check_causal_mask(wrong).passed, wrong.__name__

    def not_yet(size):
        raise NotImplementedError

    result = check_causal_mask(not_yet)
    assert not result.passed and "not written yet" in result.message


def _cached(query, key, value, past_key, past_value, offset=True, concat=True):
    keys = torch.cat([past_key, key], -2) if concat else key
    values = torch.cat([past_value, value], -2) if concat else value
    past, new = keys.shape[-2] - query.shape[-2], query.shape[-2]
    mask = torch.ones(new, past + new, dtype=torch.bool).tril(past if offset else 0)
    mask[:, 0] = True
    return (
        F.scaled_dot_product_attention(query, keys, values, attn_mask=mask),
        keys,
        values,
    )


def test_cached_attention_check():
    assert check_cached_attention(_cached, strict=True).passed
    result = check_cached_attention(lambda **c: _cached(**c, offset=False))
    assert not result.passed and "values differ" in result.message
    result = check_cached_attention(lambda **c: _cached(**c, concat=False))
    assert not result.passed and "has shape" in result.message
    result = check_cached_attention(lambda **c: _cached(**c)[0])
    assert not result.passed and "tuple (output, keys, values)" in result.message


def test_mean_pooling_check():
    def right(token_vectors, attention_mask):
        m = attention_mask[..., None].float()
        return (token_vectors * m).sum(1) / m.sum(1)

    assert check_mean_pooling(right, strict=True).passed

    def includes_padding(token_vectors, attention_mask):
        return token_vectors.mean(1)

    def sums(token_vectors, attention_mask):
        return (token_vectors * attention_mask[..., None]).sum(1)

    for wrong in (includes_padding, sums):
        result = check_mean_pooling(wrong)
        assert not result.passed and "values differ" in result.message
