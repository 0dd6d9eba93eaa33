"""The pieces of a Llama-style model against PyTorch and ``transformers``, over random shapes."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

import course_utils.nn.functional as CF
from course_utils.models._offline import import_transformers

transformers = import_transformers("The Llama tests")
from transformers.models.llama import modeling_llama as hf  # noqa: E402

GEN = torch.Generator().manual_seed(0)


def _randn(*shape):
    return torch.randn(*shape, generator=GEN)


# ------------------------------------------------------------------------ RMSNorm
@pytest.mark.parametrize(
    "shape, normalized, eps, with_weight",
    list(
        itertools.product(
            [(7,), (3, 7), (2, 4, 7), (2, 3, 4, 6)],
            [1, 2],
            [None, 1e-6, 0.1],
            [True, False],
        )
    ),
)
def test_rms_norm_matches_torch(shape, normalized, eps, with_weight):
    x = _randn(*shape) * 3
    normalized_shape = shape[-normalized:] if normalized <= len(shape) else shape
    weight = _randn(*normalized_shape) if with_weight else None
    expected = F.rms_norm(x, normalized_shape, weight, eps)
    torch.testing.assert_close(CF.rms_norm(x, normalized_shape, weight, eps), expected)


@pytest.mark.parametrize("size", [4, 64, 576])
def test_rms_norm_matches_llama(size):
    layer = hf.LlamaRMSNorm(size, eps=1e-5)
    layer.weight.data = _randn(size)
    x = _randn(2, 5, size)
    torch.testing.assert_close(CF.rms_norm(x, [size], layer.weight, 1e-5), layer(x))


# ---------------------------------------------------------------- rotary embeddings
def _llama_config(**kwargs):
    defaults = dict(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    defaults.update(kwargs)
    return transformers.LlamaConfig(**defaults)


@pytest.mark.parametrize(
    "head_dim, theta, batch, heads, length, offset",
    list(
        itertools.product(
            [2, 8, 64], [10000.0, 100000.0], [1, 3], [1, 4], [1, 9], [0, 17]
        )
    ),
)
def test_rotary_matches_transformers(head_dim, theta, batch, heads, length, offset):
    config = _llama_config(
        hidden_size=head_dim * 4,
        num_attention_heads=4,
        head_dim=head_dim,
        rope_parameters={"rope_theta": theta, "rope_type": "default"},
    )
    rotary = hf.LlamaRotaryEmbedding(config)
    q, k = (
        _randn(batch, heads, length, head_dim),
        _randn(batch, heads, length, head_dim),
    )
    positions = torch.arange(offset, offset + length)
    cos_ref, sin_ref = rotary(q, positions[None].expand(batch, -1))
    cos, sin = CF.rotary_cos_sin(positions, head_dim, theta)
    torch.testing.assert_close(cos, cos_ref[0])
    torch.testing.assert_close(sin, sin_ref[0])
    q_ref, k_ref = hf.apply_rotary_pos_emb(q, k, cos_ref, sin_ref)
    torch.testing.assert_close(CF.apply_rotary_emb(q, cos, sin), q_ref)
    torch.testing.assert_close(CF.apply_rotary_emb(k, cos, sin), k_ref)
    torch.testing.assert_close(CF.rotate_half(q), hf.rotate_half(q))


@pytest.mark.parametrize("seed", range(10))
def test_rotary_scores_depend_only_on_the_distance(seed):
    generator = torch.Generator().manual_seed(seed)
    q, k = (
        torch.randn(1, 32, generator=generator),
        torch.randn(1, 32, generator=generator),
    )
    m, n, shift = (int(v) for v in torch.randint(0, 500, (3,), generator=generator))

    def score(i, j):
        cq, sq = CF.rotary_cos_sin(torch.tensor([i]), 32)
        ck, sk = CF.rotary_cos_sin(torch.tensor([j]), 32)
        return CF.apply_rotary_emb(q, cq, sq) @ CF.apply_rotary_emb(k, ck, sk).T

    torch.testing.assert_close(
        score(m, n), score(m + shift, n + shift), atol=1e-3, rtol=1e-4
    )


def test_rotary_bad_input():
    with pytest.raises(ValueError, match="head_dim must be even"):
        CF.rotary_frequencies(7)
    with pytest.raises(ValueError, match="base must be > 0"):
        CF.rotary_frequencies(8, base=0)
    cos, sin = CF.rotary_cos_sin(torch.arange(4), 8)
    with pytest.raises(ValueError, match="head dimension 6"):
        CF.apply_rotary_emb(torch.zeros(4, 6), cos, sin)


# ------------------------------------------------------------------------- SwiGLU
@pytest.mark.parametrize(
    "hidden, intermediate, shape",
    list(itertools.product([4, 32], [8, 48], [(3,), (2, 5)])),
)
def test_swiglu_matches_llama_mlp(hidden, intermediate, shape):
    mlp = hf.LlamaMLP(_llama_config(hidden_size=hidden, intermediate_size=intermediate))
    x = _randn(*shape, hidden)
    ours = CF.swiglu(x, mlp.gate_proj.weight, mlp.up_proj.weight, mlp.down_proj.weight)
    torch.testing.assert_close(ours, mlp(x))
    torch.testing.assert_close(CF.silu(x), F.silu(x))


def test_swiglu_bad_input():
    with pytest.raises(ValueError, match="must both be"):
        CF.swiglu(
            torch.zeros(2, 4), torch.zeros(8, 4), torch.zeros(8, 5), torch.zeros(4, 8)
        )
    with pytest.raises(ValueError, match="down_weight must be"):
        CF.swiglu(
            torch.zeros(2, 4), torch.zeros(8, 4), torch.zeros(8, 4), torch.zeros(4, 7)
        )


# --------------------------------------------------------- grouped-query attention
@pytest.mark.parametrize(
    "heads, kv_heads, length, causal",
    [
        (heads, kv_heads, length, causal)
        for heads, kv_heads, length, causal in itertools.product(
            [2, 6, 9], [1, 2, 3], [1, 7], [False, True]
        )
        if heads % kv_heads == 0
    ],
)
def test_grouped_query_attention(heads, kv_heads, length, causal):
    q = _randn(2, heads, length, 16)
    k, v = _randn(2, kv_heads, length, 16), _randn(2, kv_heads, length, 16)
    ours = CF.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
    torch.testing.assert_close(
        ours, F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
    )
    # transformers repeats each key/value head for its group of query heads
    groups = heads // kv_heads
    repeated = F.scaled_dot_product_attention(
        q, hf.repeat_kv(k, groups), hf.repeat_kv(v, groups), is_causal=causal
    )
    torch.testing.assert_close(ours, repeated)
