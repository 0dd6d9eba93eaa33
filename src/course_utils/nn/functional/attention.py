"""Scaled dot-product attention, written from scratch.

:func:`scaled_dot_product_attention` takes the arguments of
``torch.nn.functional.scaled_dot_product_attention`` and returns the same
numbers (the unit tests check this over many shapes, masks and dtypes);
:func:`attention_weights` returns the softmax weights themselves, for plotting.
Multi-head attention built on it is :class:`course_utils.nn.MultiheadAttention`.

    weights = softmax(query @ key^T * scale + mask)        scale = 1 / sqrt(d_k)
    output  = weights @ value

Masks follow PyTorch: a boolean mask is True where a query *may* attend; a float
mask is added to the scores (``-inf`` blocks). Either broadcasts to
``(..., L, S)``. A query that may attend nowhere (all its scores are -inf) gets
all-zero weights, as in PyTorch, instead of the NaN of 0/0; any other NaN, such
as the one of a diverging model, comes out as NaN.

Out of scope: complex, integer and bool query/key/value (``TypeError``).

Example:
    >>> import torch
    >>> q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 3)
    >>> expected = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    >>> torch.allclose(scaled_dot_product_attention(q, k, v), expected, atol=1e-6)
    True
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..._validation import require_bool, require_floating, require_int, require_number

__all__ = [
    "scaled_dot_product_attention",
    "attention_weights",
    "causal_mask",
    "padding_mask",
]


def causal_mask(
    length: int, source_length: int | None = None, device=None
) -> torch.Tensor:
    """Boolean (L, S) mask, True on and below the diagonal: query i sees keys 0..i.

    Out of scope: the bottom-right aligned mask some libraries build when L != S (PyTorch's ``is_causal`` is top-left aligned, like this one).

    Example:
        >>> causal_mask(3).int().tolist()
        [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    require_int("causal_mask", "length", length, minimum=0)
    source_length = length if source_length is None else source_length
    require_int("causal_mask", "source_length", source_length, minimum=0)
    return torch.ones(length, source_length, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: torch.Tensor, max_length: int | None = None) -> torch.Tensor:
    """Boolean (N, 1, S) mask from sequence lengths: True on real tokens, False on padding.

    The middle dimension of size 1 broadcasts over the queries.

    Out of scope: left padding: real tokens come first in each row.

    Example:
        >>> padding_mask(torch.tensor([1, 3])).int().tolist()
        [[[1, 0, 0]], [[1, 1, 1]]]
    """
    fn = "padding_mask"
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.is_floating_point() or lengths.is_complex():
        raise ValueError(
            f"{fn}: lengths must be a 1-D sequence of ints, got {lengths.dtype} of "
            f"shape {tuple(lengths.shape)}"
        )
    longest = int(lengths.max()) if len(lengths) else 0
    if len(lengths) and int(lengths.min()) < 0:
        raise ValueError(f"{fn}: lengths must be >= 0, got {lengths.tolist()}")
    if max_length is None:
        max_length = longest
    elif require_int(fn, "max_length", max_length) < longest:
        raise ValueError(
            f"{fn}: max_length ({max_length}) is shorter than the longest sequence "
            f"({longest})"
        )
    positions = torch.arange(max_length, device=lengths.device)
    return (positions[None, :] < lengths[:, None])[:, None, :]


def attention_weights(
    query: torch.Tensor,
    key: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> torch.Tensor:
    """The attention weights ``softmax(query @ key^T * scale + mask)``, shape (..., L, S).

    Arguments as in :func:`scaled_dot_product_attention`. Each row sums to 1 (or is
    all zero when its mask blocks every key).

    Out of scope: complex, integer and bool query/key.

    Example:
        >>> w = attention_weights(torch.randn(3, 4), torch.randn(5, 4), is_causal=True)
        >>> w.shape, [round(total, 6) for total in w.sum(-1).tolist()]
        (torch.Size([3, 5]), [1.0, 1.0, 1.0])
    """
    fn = "attention_weights"
    query, key = _check_tensor(query, "query", fn), _check_tensor(key, "key", fn)
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"{fn}: query and key must have the same last dimension d_k, got query "
            f"{tuple(query.shape)} and key {tuple(key.shape)}"
        )
    _check_batch(query, key, "key", fn)
    if query.dtype != key.dtype:
        raise TypeError(f"{fn}: query is {query.dtype} but key is {key.dtype}")
    require_bool(fn, "is_causal", is_causal)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    else:
        scale = require_number(fn, "scale", scale)
    scores = query @ key.transpose(-2, -1) * scale  # (..., L, S)
    bias = _scores_bias(query, key, attn_mask, is_causal, fn)
    if bias is not None:
        scores = scores + bias
    weights = torch.softmax(scores, dim=-1)
    # A query whose every score is -inf may attend nowhere: softmax gives 0/0 = NaN.
    # Such a row gets zero weights, as in PyTorch; any other NaN is left to show.
    blocked = (scores == float("-inf")).all(dim=-1, keepdim=True)
    return weights.masked_fill(blocked, 0.0)


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> torch.Tensor:
    """Attention from scratch; agrees with ``F.scaled_dot_product_attention``.

    Args:
        query: (..., L, E) queries (any batch and head dimensions in front).
        key: (..., S, E) keys; the same E as the query.
        value: (..., S, Ev) values; one per key.
        attn_mask: bool (True = may attend) or float (added to the scores), broadcastable
            to (..., L, S).
        dropout_p: dropout probability on the weights (always applied, as in PyTorch).
        is_causal: query i attends to keys 0..i only (top-left aligned); no attn_mask then.
        scale: multiplies the scores; 1 / sqrt(E) by default.
        enable_gqa: grouped-query attention: fewer key/value heads than query heads.

    Returns:
        (..., L, Ev).

    Out of scope: complex, integer and bool query/key/value.

    Example:
        >>> q = k = v = torch.eye(3)
        >>> scaled_dot_product_attention(q, k, v, scale=100.0).round().tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    fn = "scaled_dot_product_attention"
    query = _check_tensor(query, "query", fn)
    key = _check_tensor(key, "key", fn)
    value = _check_tensor(value, "value", fn)
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{fn}: key and value must have the same length S (one value per key), got "
            f"key {tuple(key.shape)} and value {tuple(value.shape)}"
        )
    if require_bool(fn, "enable_gqa", enable_gqa):
        key, value = _repeat_heads(query, key, value, fn)
    _check_batch(query, value, "value", fn)
    if value.dtype != query.dtype:
        raise TypeError(f"{fn}: query is {query.dtype} but value is {value.dtype}")
    if not 0.0 <= require_number(fn, "dropout_p", dropout_p) <= 1.0:
        raise ValueError(f"{fn}: dropout_p must be in [0, 1], got {dropout_p}")
    weights = attention_weights(query, key, attn_mask, is_causal, scale)
    if dropout_p > 0:
        weights = F.dropout(weights, dropout_p)
    return weights @ value


# ----------------------------------------------------------------------------- checks


def _check_tensor(value: object, name: str, fn: str) -> torch.Tensor:
    require_floating(value, fn, name)
    if value.dim() < 2:
        raise ValueError(
            f"{fn}: {name} must have at least 2 dimensions (..., length, features), "
            f"got shape {tuple(value.shape)}"
        )
    return value


def _scores_bias(query, key, attn_mask, is_causal, fn) -> torch.Tensor | None:
    """The additive bias (0 or -inf, or the float mask) for (..., L, S) scores, checked."""
    length, source = query.shape[-2], key.shape[-2]
    if is_causal and attn_mask is not None:
        raise ValueError(f"{fn}: pass either attn_mask or is_causal=True, not both")
    if is_causal:
        attn_mask = causal_mask(length, source, device=query.device)
    if attn_mask is None:
        return None
    if not isinstance(attn_mask, torch.Tensor):
        raise TypeError(
            f"{fn}: attn_mask must be a tensor, got {type(attn_mask).__name__}"
        )
    scores_shape = (
        *torch.broadcast_shapes(query.shape[:-2], key.shape[:-2]),
        length,
        source,
    )
    try:
        fits = torch.broadcast_shapes(attn_mask.shape, scores_shape) == scores_shape
    except RuntimeError:
        fits = False
    if not fits:
        raise ValueError(
            f"{fn}: attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to the "
            f"attention scores of shape {scores_shape} (query {tuple(query.shape)}, "
            f"key {tuple(key.shape)})"
        )
    if attn_mask.dtype == torch.bool:
        zero = torch.zeros((), dtype=query.dtype, device=query.device)
        return zero.masked_fill(~attn_mask, float("-inf"))
    if attn_mask.dtype != query.dtype:
        raise TypeError(
            f"{fn}: attn_mask must be bool or have the query's dtype {query.dtype}, "
            f"got {attn_mask.dtype}"
        )
    return attn_mask


def _check_batch(query, other, name, fn):
    try:
        torch.broadcast_shapes(query.shape[:-2], other.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"{fn}: the batch dimensions of query {tuple(query.shape)} and {name} "
            f"{tuple(other.shape)} do not broadcast"
        ) from None


def _repeat_heads(query, key, value, fn):
    """enable_gqa: repeat each key/value head so there are as many as query heads."""
    if query.dim() < 3 or key.dim() < 3:
        raise ValueError(f"{fn}: enable_gqa needs a head dimension (..., H, L, E)")
    heads, kv_heads = query.shape[-3], key.shape[-3]
    if heads % kv_heads:
        raise ValueError(
            f"{fn}: enable_gqa needs query heads ({heads}) to be a multiple of key/value "
            f"heads ({kv_heads}); query {tuple(query.shape)}, key {tuple(key.shape)}"
        )
    groups = heads // kv_heads
    return key.repeat_interleave(groups, -3), value.repeat_interleave(groups, -3)
