"""Attention, multi-head attention and the encoder block against PyTorch's own."""

import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.models import TransformerClassifier
from course_utils.nn import (
    MultiheadAttention,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)
from course_utils.nn.functional import (
    attention_weights,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)

TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5, torch.bfloat16: 2e-2}


def random_attention_case(rng: random.Random, dtype=torch.float64):
    """Random batch/head dims, lengths and sizes, and one of: no mask, bool, float, causal."""
    torch.manual_seed(rng.randint(0, 2**31))
    batch = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
    length, source = rng.randint(1, 7), rng.randint(1, 7)
    e, ev = rng.randint(1, 8), rng.randint(1, 8)
    q = torch.randn(*batch, length, e, dtype=dtype)
    k = torch.randn(*batch, source, e, dtype=dtype)
    v = torch.randn(*batch, source, ev, dtype=dtype)
    kind = rng.choice(["none", "bool", "float", "causal", "bool-broadcast"])
    kwargs = {}
    if kind == "bool":
        mask = torch.rand(*batch, length, source) < 0.7
        mask[..., 0] = True  # every query sees at least one key
        kwargs["attn_mask"] = mask
    elif kind == "bool-broadcast":
        mask = torch.rand(1, source) < 0.6
        mask[:, 0] = True
        kwargs["attn_mask"] = mask  # (1, S) broadcasts over queries and batches
    elif kind == "float":
        kwargs["attn_mask"] = torch.randn(length, source, dtype=dtype)
    elif kind == "causal":
        kwargs["is_causal"] = True
    if rng.random() < 0.3:
        kwargs["scale"] = rng.uniform(0.1, 2.0)
    return q, k, v, kwargs


@pytest.mark.parametrize("seed", range(300))
def test_sdpa_matches_torch_on_random_shapes_and_masks(seed):
    q, k, v, kwargs = random_attention_case(random.Random(seed))
    expected = F.scaled_dot_product_attention(q, k, v, **kwargs)
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, **kwargs), expected
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("seed", range(10))
def test_sdpa_dtypes(dtype, seed):
    q, k, v, kwargs = random_attention_case(random.Random(500 + seed), dtype)
    ours = scaled_dot_product_attention(q, k, v, **kwargs)
    expected = F.scaled_dot_product_attention(q, k, v, **kwargs)
    assert ours.dtype == expected.dtype == dtype
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(ours, expected, atol=tol, rtol=tol)


def test_sdpa_heads_and_grouped_query_attention():
    q = torch.randn(2, 8, 5, 16, dtype=torch.float64)
    k, v = (
        torch.randn(2, 2, 7, 16, dtype=torch.float64),
        torch.randn(2, 2, 7, 4, dtype=torch.float64),
    )
    expected = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, enable_gqa=True), expected
    )


def test_sdpa_gradients_match_torch():
    q, k, v, kwargs = random_attention_case(random.Random(7))
    inputs = [t.clone().requires_grad_() for t in (q, k, v)]
    ours = scaled_dot_product_attention(*inputs, **kwargs)
    grad = torch.randn_like(ours)
    ours_grads = torch.autograd.grad(ours, inputs, grad)
    theirs_grads = torch.autograd.grad(
        F.scaled_dot_product_attention(*inputs, **kwargs), inputs, grad
    )
    for a, b in zip(ours_grads, theirs_grads):
        torch.testing.assert_close(a, b)


def test_fully_masked_query_gives_zeros_like_torch():
    q, k, v = torch.randn(3, 4), torch.randn(5, 4), torch.randn(5, 2)
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[1] = False
    ours = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.equal(ours[1], torch.zeros(2))
    torch.testing.assert_close(
        ours, F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    )


def test_fully_masked_rows_give_zeros_but_nan_from_the_data_propagates():
    """Only a query that may attend nowhere gets zeros; a diverged NaN must show."""
    q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 2)
    mask = torch.zeros(3, 5)
    mask[1] = float("-inf")  # a float mask can block a whole row too
    q_nan = q.clone()
    q_nan[0, 2, 0] = float("nan")  # one diverged query
    ours = scaled_dot_product_attention(q_nan, k, v, attn_mask=mask)
    theirs = F.scaled_dot_product_attention(q_nan, k, v, attn_mask=mask)
    torch.testing.assert_close(ours, theirs, equal_nan=True)
    assert torch.equal(ours[:, 1], torch.zeros(2, 2))  # fully masked: zeros
    assert torch.isnan(ours[0, 2]).all() and not torch.isnan(ours[1]).any()
    weights = attention_weights(q_nan, k, attn_mask=mask)
    assert torch.isnan(weights[0, 2]).all() and torch.equal(
        weights[:, 1], torch.zeros(2, 5)
    )
    k_nan = k.clone()
    k_nan[1, 0, 0] = float("nan")  # a NaN key poisons every query that sees it
    out = scaled_dot_product_attention(q, k_nan, v)
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k_nan, v), equal_nan=True
    )
    assert torch.isnan(out[1]).all() and not torch.isnan(out[0]).any()


def test_sdpa_on_zero_size_batches_like_torch():
    q, k, v = torch.randn(0, 2, 3, 4), torch.randn(0, 2, 5, 4), torch.randn(0, 2, 5, 6)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert scaled_dot_product_attention(q, k, v, is_causal=True).shape == expected.shape


def test_sdpa_dropout_draws_the_mask_pytorch_draws():
    """Same seed, same mask: dropout is applied to the weights exactly as in PyTorch."""
    q, k, v = torch.randn(2, 4, 6, 8), torch.randn(2, 4, 7, 8), torch.randn(2, 4, 7, 3)
    torch.manual_seed(3)
    ours = scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    torch.manual_seed(3)
    theirs = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)


def test_mask_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="causal_mask: length must be >= 0"):
        causal_mask(-1)
    with pytest.raises(TypeError, match="source_length must be an int"):
        causal_mask(3, 2.0)
    with pytest.raises(
        ValueError, match=r"max_length \(2\) is shorter than the longest"
    ):
        padding_mask(torch.tensor([1, 3]), max_length=2)
    with pytest.raises(ValueError, match="lengths must be >= 0"):
        padding_mask(torch.tensor([1, -1]))
    with pytest.raises(ValueError, match="1-D sequence of ints"):
        padding_mask(torch.tensor([1.5, 2.0]))
    assert padding_mask(torch.tensor([1, 2]), max_length=4).shape == (2, 1, 4)


def test_weights_are_a_distribution_and_respect_masks():
    q, k = torch.randn(2, 6, 8), torch.randn(2, 6, 8)
    w = attention_weights(q, k, is_causal=True)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 6))
    assert torch.all(w.masked_select(~causal_mask(6)) == 0)
    pad = padding_mask(torch.tensor([2, 6]))
    w = attention_weights(q, k, attn_mask=pad)
    assert torch.all(w[0, :, 2:] == 0) and torch.all(w[1] > 0)


def test_sdpa_rejects_bad_input_naming_shapes():
    q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 6)
    with pytest.raises(
        ValueError, match=r"same last dimension.*\(2, 3, 4\).*\(2, 5, 3\)"
    ):
        scaled_dot_product_attention(q, torch.randn(2, 5, 3), v)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(4, 5\).*\(2, 3, 5\)"):
        scaled_dot_product_attention(
            q, k, v, attn_mask=torch.ones(4, 5, dtype=torch.bool)
        )
    with pytest.raises(ValueError, match=r"same length S.*\(2, 5, 4\).*\(2, 6, 6\)"):
        scaled_dot_product_attention(q, k, torch.randn(2, 6, 6))
    with pytest.raises(
        ValueError, match=r"batch dimensions of query \(2, 3, 4\) and value \(3, 5, 6\)"
    ):
        scaled_dot_product_attention(q, torch.randn(3, 5, 4), torch.randn(3, 5, 6))
    with pytest.raises(ValueError, match="not both"):
        scaled_dot_product_attention(
            q, k, v, attn_mask=torch.ones(3, 5, dtype=torch.bool), is_causal=True
        )
    with pytest.raises(TypeError, match="dtype torch.float32, got torch.int64"):
        scaled_dot_product_attention(
            q, k, v, attn_mask=torch.ones(3, 5, dtype=torch.long)
        )
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(4,\)"):
        scaled_dot_product_attention(torch.randn(4), k, v)
    with pytest.raises(TypeError, match="query must be a floating-point tensor"):
        scaled_dot_product_attention(q.long(), k, v)
    with pytest.raises(TypeError, match="complex tensors are out of scope"):
        scaled_dot_product_attention(q, k.to(torch.complex64), v)
    with pytest.raises(TypeError, match="key must be a torch.Tensor, got list"):
        scaled_dot_product_attention(q, [[1.0]], v)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(2, 2, 3, 5\) does not"):
        scaled_dot_product_attention(
            q, k, v, attn_mask=torch.ones(2, 2, 3, 5, dtype=torch.bool)
        )
    with pytest.raises(ValueError, match=r"dropout_p must be in \[0, 1\], got 1.5"):
        scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="is_causal must be True or False"):
        scaled_dot_product_attention(q, k, v, is_causal="yes")
    with pytest.raises(TypeError, match="scale must be a number"):
        scaled_dot_product_attention(q, k, v, scale="1")
    with pytest.raises(ValueError, match=r"multiple of key/value heads \(3\)"):
        scaled_dot_product_attention(
            torch.randn(1, 4, 2, 8),
            torch.randn(1, 3, 2, 8),
            torch.randn(1, 3, 2, 8),
            enable_gqa=True,
        )


# ----------------------------------------------------------------------------- multi-head


def copied_pair(embed_dim, heads, seed):
    torch.manual_seed(seed)
    ours = MultiheadAttention(embed_dim, heads).double()
    theirs = nn.MultiheadAttention(embed_dim, heads, batch_first=True).double()
    theirs.load_state_dict(ours.state_dict())
    return ours.eval(), theirs.eval()


@pytest.mark.parametrize("seed", range(20))
def test_multihead_attention_matches_torch(seed):
    rng = random.Random(seed)
    heads = rng.choice([1, 2, 4])
    embed = heads * rng.randint(1, 6)
    n, length, source = rng.randint(1, 3), rng.randint(1, 6), rng.randint(1, 6)
    ours, theirs = copied_pair(embed, heads, seed)
    q = torch.randn(n, length, embed, dtype=torch.float64)
    kv = torch.randn(n, source, embed, dtype=torch.float64)
    padding = torch.rand(n, source) < 0.3
    padding[:, 0] = False
    attn_mask = torch.rand(length, source) < 0.2
    attn_mask[:, 0] = False
    kwargs = {
        "key_padding_mask": padding,
        "attn_mask": attn_mask,
        "average_attn_weights": rng.random() < 0.5,
    }
    (out, w), (out_t, w_t) = ours(q, kv, kv, **kwargs), theirs(q, kv, kv, **kwargs)
    torch.testing.assert_close(out, out_t)
    torch.testing.assert_close(w, w_t)


def test_multihead_attention_is_causal_like_torch():
    """PyTorch takes is_causal as a hint beside the causal mask; ours also builds the mask."""
    ours, theirs = copied_pair(8, 2, seed=3)
    x = torch.randn(3, 6, 8, dtype=torch.float64)
    blocked = nn.Transformer.generate_square_subsequent_mask(6, dtype=torch.float64)
    for mask in (
        blocked,
        blocked == float("-inf"),
    ):  # float (-inf) and bool (True) masks
        for need_weights in (True, False):
            kwargs = {
                "attn_mask": mask,
                "is_causal": True,
                "need_weights": need_weights,
            }
            (out, w), (out_t, w_t) = ours(x, x, x, **kwargs), theirs(x, x, x, **kwargs)
            torch.testing.assert_close(out, out_t)
            if need_weights:
                torch.testing.assert_close(w, w_t)
            else:
                assert w is None and w_t is None
    out, _ = ours(x, x, x, is_causal=True)  # no mask: built from is_causal
    torch.testing.assert_close(
        out, theirs(x, x, x, attn_mask=blocked, is_causal=True)[0]
    )
    # Causal means position 2 is blind to what comes after it.
    changed = x.clone()
    changed[:, 3:] = torch.randn(3, 3, 8, dtype=torch.float64)
    torch.testing.assert_close(
        ours(changed, changed, changed, is_causal=True)[0][:, :3], out[:, :3]
    )


@pytest.mark.parametrize("seed", range(12))
def test_multihead_attention_float_and_per_head_masks_like_torch(seed):
    """Float masks (added to the scores) and 3-D masks (N * heads, L, S), bool or float."""
    rng = random.Random(seed)
    heads = rng.choice([1, 2, 4])
    embed = heads * rng.randint(1, 4)
    n, length, source = rng.randint(1, 3), rng.randint(1, 5), rng.randint(1, 5)
    ours, theirs = copied_pair(embed, heads, seed)
    q = torch.randn(n, length, embed, dtype=torch.float64)
    kv = torch.randn(n, source, embed, dtype=torch.float64)
    shape = rng.choice([(length, source), (n * heads, length, source)])
    kind = rng.choice(["float", "bool"])
    if kind == "float":
        attn_mask = torch.randn(shape, dtype=torch.float64)
        attn_mask[..., 1:][torch.rand(attn_mask[..., 1:].shape) < 0.3] = float("-inf")
    else:
        attn_mask = torch.rand(shape) < 0.3
        attn_mask[..., 0] = False  # every query sees at least one key
    kwargs = {"attn_mask": attn_mask, "average_attn_weights": rng.random() < 0.5}
    if rng.random() < 0.5:
        padding = torch.rand(n, source) < 0.3
        padding[:, 0] = False
        kwargs["key_padding_mask"] = (
            padding if kind == "bool" else padding.double() * -1e9
        )
    (out, w), (out_t, w_t) = ours(q, kv, kv, **kwargs), theirs(q, kv, kv, **kwargs)
    torch.testing.assert_close(out, out_t)
    torch.testing.assert_close(w, w_t)


def test_multihead_attention_on_an_empty_batch_like_torch():
    ours, theirs = copied_pair(8, 2, seed=0)
    x = torch.randn(0, 4, 8, dtype=torch.float64)
    out, w = ours(x, x, x)
    out_t, w_t = theirs(x, x, x)
    assert out.shape == out_t.shape == (0, 4, 8) and w.shape == w_t.shape == (0, 4, 4)


def test_multihead_attention_rejects_bad_shapes():
    with pytest.raises(
        ValueError, match=r"embed_dim \(10\) must be divisible by num_heads \(4\)"
    ):
        MultiheadAttention(10, 4)
    mha = MultiheadAttention(8, 2)
    with pytest.raises(ValueError, match=r"query must be \(N, L, 8\).*got \(2, 3, 6\)"):
        mha(torch.randn(2, 3, 6), torch.randn(2, 3, 8), torch.randn(2, 3, 8))
    x = torch.randn(2, 3, 8)
    with pytest.raises(
        ValueError, match=r"key_padding_mask must be \(N, S\) = \(2, 3\), got \(2, 4\)"
    ):
        mha(x, x, x, key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"attn_mask must be \(L, S\) = \(3, 3\) or"):
        mha(x, x, x, attn_mask=torch.zeros(3, 3, 3, dtype=torch.bool))
    with pytest.raises(
        TypeError, match="attn_mask must be bool or have the input's dtype"
    ):
        mha(x, x, x, attn_mask=torch.zeros(3, 3, dtype=torch.long))
    with pytest.raises(TypeError, match="value must be a torch.Tensor, got list"):
        mha(x, x, [[0.0]])
    with pytest.raises(ValueError, match=r"must share N.*\(2, 3, 8\).*\(1, 3, 8\)"):
        mha(x, torch.randn(1, 3, 8), torch.randn(1, 3, 8))
    with pytest.raises(TypeError, match="num_heads must be an int"):
        MultiheadAttention(8, 2.0)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        MultiheadAttention(8, 2, dropout=1.0)


# ----------------------------------------------------------------------------- encoder block


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("seed", range(4))
def test_encoder_layer_matches_torch(norm_first, activation, seed):
    torch.manual_seed(seed)
    d, heads = 8 * (seed + 1), [1, 2, 4, 8][seed]
    ours = TransformerEncoderLayer(
        d, heads, 3 * d, dropout=0.0, activation=activation, norm_first=norm_first
    )
    theirs = nn.TransformerEncoderLayer(
        d,
        heads,
        3 * d,
        dropout=0.0,
        activation=activation,
        norm_first=norm_first,
        batch_first=True,
    )
    theirs.load_state_dict(ours.state_dict())
    ours, theirs = ours.double().eval(), theirs.double().eval()
    x = torch.randn(3, 6, d, dtype=torch.float64)
    padding = torch.tensor(
        [[False] * 6, [False] * 4 + [True] * 2, [False] * 2 + [True] * 4]
    )
    torch.testing.assert_close(
        ours(x, src_key_padding_mask=padding), theirs(x, src_key_padding_mask=padding)
    )
    causal = nn.Transformer.generate_square_subsequent_mask(6, dtype=torch.float64)
    torch.testing.assert_close(ours(x, src_mask=causal), theirs(x, src_mask=causal))


def test_encoder_layer_in_training_mode_matches_torch_without_dropout():
    torch.manual_seed(0)
    ours = TransformerEncoderLayer(16, 4, 32, dropout=0.0)
    theirs = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(2, 5, 16, requires_grad=True)
    (g_ours,) = torch.autograd.grad(ours(x).square().sum(), x)
    (g_theirs,) = torch.autograd.grad(theirs(x).square().sum(), x)
    torch.testing.assert_close(g_ours, g_theirs, atol=1e-5, rtol=1e-4)


def test_encoder_layer_rejects_unknown_activation():
    with pytest.raises(
        ValueError, match="activation must be one of relu, gelu, got 'tanh'"
    ):
        TransformerEncoderLayer(8, 2, activation="tanh")


def test_positional_encoding_values():
    pe = sinusoidal_positional_encoding(50, 16)
    position, i = 7, 3
    angle = position / 10000 ** (2 * i / 16)
    torch.testing.assert_close(pe[position, 2 * i], torch.tensor(angle).sin())
    torch.testing.assert_close(pe[position, 2 * i + 1], torch.tensor(angle).cos())
    with pytest.raises(ValueError, match="even d_model"):
        sinusoidal_positional_encoding(10, 7)


def test_classifier_pools_and_ignores_padding():
    torch.manual_seed(0)
    model = TransformerClassifier(
        vocab_size=20, num_classes=3, d_model=16, nhead=2, dropout=0.0
    ).eval()
    tokens = torch.randint(1, 20, (1, 5))
    padded = torch.cat([tokens, torch.zeros(1, 3, dtype=torch.long)], dim=1)
    torch.testing.assert_close(model(tokens), model(padded))
    assert model.encode(padded).shape == (1, 8, 16) and model(padded).shape == (1, 3)
    with pytest.raises(
        ValueError, match=r"token ids \(N, S\) with S <= 64, got \(2, 65\)"
    ):
        model(torch.ones(2, 65, dtype=torch.long))
