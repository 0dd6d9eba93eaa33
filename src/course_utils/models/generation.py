"""Decoding: from next-token logits to text, with the knobs every LLM interface exposes.

Each knob is a pure function on a tensor of logits (..., vocab), so they compose
and can be tested one by one against ``transformers``' logits processors:

- :func:`apply_temperature`: divide the logits by ``T``; ``T < 1`` sharpens the
  distribution, ``T > 1`` flattens it (``T -> 0`` is greedy decoding);
- :func:`top_k_filter`: keep the ``k`` most likely tokens;
- :func:`top_p_filter` (nucleus sampling, Holtzman et al., 2020): keep the
  smallest set of most likely tokens whose probabilities add up to ``p``;
- :func:`apply_repetition_penalty`: make tokens already in the text less likely
  (the rule of Keskar et al., 2019, used by ``transformers``).

:func:`next_token_probabilities` chains them into the distribution actually sampled;
:func:`generate` runs a model (with a KV cache, or without one for comparison).

Example:
    >>> import torch
    >>> logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    >>> next_token_probabilities(logits, temperature=1.0, top_k=2).round(decimals=3)
    tensor([0.7310, 0.2690, 0.0000, 0.0000])
"""

from __future__ import annotations

import torch

from .._validation import require_int, require_number, require_tensor

__all__ = [
    "apply_temperature",
    "top_k_filter",
    "top_p_filter",
    "apply_repetition_penalty",
    "next_token_probabilities",
    "sample_next_token",
    "generate",
]


def _check_logits(logits, fn: str) -> torch.Tensor:
    require_tensor(logits, fn, "logits")
    if logits.dim() < 1 or not logits.is_floating_point():
        raise ValueError(
            f"{fn}: logits must be a floating-point tensor (..., vocab), got "
            f"{tuple(logits.shape)} {logits.dtype}"
        )
    return logits


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``logits / temperature`` (temperature > 0; use greedy decoding for 0).

    Example:
        >>> apply_temperature(torch.tensor([1.0, 2.0]), 0.5)
        tensor([2., 4.])
    """
    fn = "apply_temperature"
    _check_logits(logits, fn)
    if not require_number(fn, "temperature", temperature) > 0:
        raise ValueError(
            f"{fn}: temperature must be > 0, got {temperature!r} (temperature 0 means "
            "greedy decoding: take the argmax)"
        )
    return logits / temperature


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the ``k`` largest logits (and any tied with the k-th); the others become -inf.

    Example:
        >>> top_k_filter(torch.tensor([3.0, 1.0, 2.0]), 2)
        tensor([3., -inf, 2.])
    """
    fn = "top_k_filter"
    _check_logits(logits, fn)
    require_int(fn, "k", k, minimum=1)
    k = min(k, logits.shape[-1])
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float, min_tokens: int = 1) -> torch.Tensor:
    """Nucleus filtering: keep the most likely tokens until their probabilities reach ``p``.

    A token is kept if the probability of the tokens ranked above it is still below
    ``p``; so the kept set is the smallest whose total is at least ``p`` (at least
    ``min_tokens`` tokens). ``p = 1`` keeps everything.

    Example:
        >>> probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
        >>> top_p_filter(probs.log(), 0.8).exp()
        tensor([0.5000, 0.3000, 0.0000, 0.0000])
    """
    fn = "top_p_filter"
    _check_logits(logits, fn)
    value = require_number(fn, "p", p)
    if not 0 < value <= 1:
        raise ValueError(f"{fn}: p must be in (0, 1], got {p!r}")
    require_int(fn, "min_tokens", min_tokens, minimum=1)
    if value == 1:  # everything (the sums below can round to 1 before the last token)
        return logits.clone()
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    probs = sorted_logits.softmax(dim=-1)
    before = probs.cumsum(dim=-1) - probs  # probability of the tokens ranked above
    remove = before >= value
    remove[..., :min_tokens] = False
    remove = remove.scatter(-1, order, remove)
    return logits.masked_fill(remove, float("-inf"))


def apply_repetition_penalty(
    logits: torch.Tensor, previous_ids: torch.Tensor, penalty: float
) -> torch.Tensor:
    """Make every token of ``previous_ids`` less likely: divide its logit by ``penalty``
    if positive, multiply it if negative (``penalty > 1`` penalizes, 1 does nothing).

    Args:
        logits: (N, vocab).
        previous_ids: (N, T) the tokens of the text so far.

    Example:
        >>> apply_repetition_penalty(torch.tensor([[2.0, -1.0, 1.0]]), torch.tensor([[0, 1]]), 2.0)
        tensor([[ 1., -2.,  1.]])
    """
    fn = "apply_repetition_penalty"
    _check_logits(logits, fn)
    require_tensor(previous_ids, fn, "previous_ids")
    if (
        logits.dim() != 2
        or previous_ids.dim() != 2
        or previous_ids.shape[0] != logits.shape[0]
    ):
        raise ValueError(
            f"{fn}: expected logits (N, vocab) and previous_ids (N, T), got "
            f"{tuple(logits.shape)} and {tuple(previous_ids.shape)}"
        )
    if not require_number(fn, "penalty", penalty) > 0:
        raise ValueError(f"{fn}: penalty must be > 0, got {penalty!r}")
    seen = logits.gather(-1, previous_ids)
    seen = torch.where(seen < 0, seen * penalty, seen / penalty)
    return logits.scatter(-1, previous_ids, seen)


def next_token_probabilities(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """The distribution sampled from: temperature, then top-k, then top-p, then softmax.

    ``temperature = 0`` puts all the probability on the argmax (greedy decoding).

    Example:
        >>> next_token_probabilities(torch.tensor([1.0, 3.0, 2.0]), temperature=0)
        tensor([0., 1., 0.])
    """
    fn = "next_token_probabilities"
    _check_logits(logits, fn)
    if require_number(fn, "temperature", temperature) == 0:
        return torch.zeros_like(logits).scatter(
            -1, logits.argmax(-1, keepdim=True), 1.0
        )
    logits = apply_temperature(logits, temperature)
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    return logits.softmax(dim=-1)


def sample_next_token(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw one token per row of ``logits`` (N, vocab); returns (N, 1). Greedy if temperature is 0.

    Example:
        >>> sample_next_token(torch.tensor([[0.0, 5.0, 1.0]]), temperature=0)
        tensor([[1]])
    """
    if temperature == 0:
        return _check_logits(logits, "sample_next_token").argmax(-1, keepdim=True)
    probs = next_token_probabilities(logits, temperature, top_k, top_p)
    return torch.multinomial(probs, 1, generator=generator)


@torch.no_grad()
def generate(
    model,
    input_ids: torch.Tensor,
    max_new_tokens: int,
    temperature: float = 0.0,
    top_k: int | None = None,
    top_p: float | None = None,
    repetition_penalty: float = 1.0,
    eos_token_id: int | None = None,
    use_cache: bool = True,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Continue ``input_ids`` (N, T) by up to ``max_new_tokens`` tokens; returns (N, T + new).

    Args:
        model: a :class:`~course_utils.models.llama.Llama` (anything with
            ``forward(ids, cache)``, ``new_cache()`` and ``config.max_position_embeddings``).
        temperature: 0 for greedy decoding, else sampling with ``top_k``/``top_p``.
        repetition_penalty: > 1 discourages tokens already in the text.
        eos_token_id: stop once every sequence has produced it (later tokens of a
            finished sequence are this token again).
        use_cache: keep keys and values (one new position per step) or rerun the
            whole text at every step (the same tokens, more slowly).
    """
    fn = "generate"
    require_tensor(input_ids, fn, "input_ids")
    if input_ids.dim() != 2 or input_ids.shape[1] == 0:
        raise ValueError(
            f"{fn}: input_ids must be (batch, tokens) with at least one token, got {tuple(input_ids.shape)}"
        )
    require_int(fn, "max_new_tokens", max_new_tokens, minimum=0)
    context = model.config.max_position_embeddings
    if input_ids.shape[1] + max_new_tokens > context:
        raise ValueError(
            f"{fn}: the prompt ({input_ids.shape[1]} tokens) plus max_new_tokens "
            f"({max_new_tokens}) exceed the model's context of {context} tokens"
        )
    ids = input_ids
    cache = model.new_cache() if use_cache else None
    step_input = ids
    done = torch.zeros(ids.shape[0], dtype=torch.bool, device=ids.device)
    for _ in range(max_new_tokens):
        logits = model(step_input if use_cache else ids, cache)[:, -1].float()
        if repetition_penalty != 1.0:
            logits = apply_repetition_penalty(logits, ids, repetition_penalty)
        token = sample_next_token(logits, temperature, top_k, top_p, generator)
        if eos_token_id is not None:
            token = token.masked_fill(done[:, None], eos_token_id)
            done |= token[:, 0] == eos_token_id
        ids = torch.cat([ids, token], dim=1)
        step_input = token
        if eos_token_id is not None and bool(done.all()):
            break
    return ids
