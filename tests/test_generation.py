"""Decoding knobs as pure functions on logits, against ``transformers``' logits processors."""

from __future__ import annotations

import itertools

import pytest
import torch

from course_utils.models import (
    apply_repetition_penalty,
    apply_temperature,
    next_token_probabilities,
    sample_next_token,
    top_k_filter,
    top_p_filter,
)
from course_utils.models._offline import import_transformers

transformers = import_transformers("The generation tests")
from transformers.generation import logits_process as hf  # noqa: E402

SHAPES = [(1, 5), (3, 50), (2, 1000)]
SCALES = [0.3, 2.0, 8.0]


def _logits(shape, scale, seed):
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(
    "shape, scale, temperature",
    list(itertools.product(SHAPES, SCALES, [0.1, 0.7, 1.0, 1.8])),
)
def test_temperature(shape, scale, temperature):
    logits = _logits(shape, scale, 0)
    expected = hf.TemperatureLogitsWarper(temperature)(None, logits.clone())
    torch.testing.assert_close(apply_temperature(logits, temperature), expected)


@pytest.mark.parametrize(
    "shape, scale, k", list(itertools.product(SHAPES, SCALES, [1, 3, 40, 5000]))
)
def test_top_k(shape, scale, k):
    logits = _logits(shape, scale, 1)
    expected = hf.TopKLogitsWarper(k)(None, logits.clone())
    assert torch.equal(top_k_filter(logits, k), expected)


def test_top_k_keeps_ties():
    assert torch.equal(
        top_k_filter(torch.tensor([1.0, 2.0, 2.0, 0.0]), 1).isfinite(),
        torch.tensor([False, True, True, False]),
    )


@pytest.mark.parametrize(
    "shape, scale, p, seed",
    list(itertools.product(SHAPES, SCALES, [0.05, 0.3, 0.9, 0.99, 1.0], range(3))),
)
def test_top_p(shape, scale, p, seed):
    logits = _logits(shape, scale, 10 + seed)
    expected = hf.TopPLogitsWarper(p)(None, logits.clone())
    assert torch.equal(top_p_filter(logits, p).isfinite(), expected.isfinite())
    kept = top_p_filter(logits, p)
    probs = logits.softmax(-1)
    # the kept tokens hold at least p, and dropping the least likely kept one falls below p
    held = (probs * kept.isfinite()).sum(-1)
    assert bool((held >= p - 1e-6).all())
    smallest = torch.where(kept.isfinite(), probs, torch.inf).min(-1).values
    single = kept.isfinite().sum(-1) == 1
    assert bool(((held - smallest < p + 1e-6) | single).all())


@pytest.mark.parametrize(
    "shape, scale, penalty",
    list(itertools.product(SHAPES, SCALES, [0.5, 1.0, 1.3, 2.0])),
)
def test_repetition_penalty(shape, scale, penalty):
    logits = _logits(shape, scale, 2)
    previous = torch.randint(
        0, shape[1], (shape[0], 7), generator=torch.Generator().manual_seed(3)
    )
    expected = hf.RepetitionPenaltyLogitsProcessor(penalty)(previous, logits.clone())
    torch.testing.assert_close(
        apply_repetition_penalty(logits, previous, penalty), expected
    )


def test_probabilities_and_sampling():
    logits = _logits((4, 30), 2.0, 4)
    probs = next_token_probabilities(logits, temperature=0.8, top_k=10, top_p=0.9)
    torch.testing.assert_close(probs.sum(-1), torch.ones(4))
    assert bool(((probs > 0).sum(-1) <= 10).all())
    greedy = next_token_probabilities(logits, temperature=0)
    assert torch.equal(greedy.argmax(-1), logits.argmax(-1)) and bool(
        (greedy.sum(-1) == 1).all()
    )
    draws = [
        sample_next_token(logits, 1.0, generator=torch.Generator().manual_seed(9))
        for _ in range(2)
    ]
    assert torch.equal(*draws) and draws[0].shape == (4, 1)
    assert bool((probs.gather(-1, sample_next_token(logits, 0.8, 10, 0.9)) > 0).all())
    # many draws follow the distribution
    counts = torch.bincount(
        sample_next_token(
            logits[:1].expand(20000, -1),
            1.0,
            generator=torch.Generator().manual_seed(1),
        )[:, 0],
        minlength=30,
    )
    torch.testing.assert_close(counts / 20000, logits[0].softmax(-1), atol=0.02, rtol=0)


def test_bad_input():
    logits = torch.randn(2, 10)
    for p in (0, -0.1, 1.01, float("nan")):
        with pytest.raises(ValueError, match=r"p must be in \(0, 1\]"):
            top_p_filter(logits, p)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        apply_temperature(logits, 0)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        next_token_probabilities(logits, temperature=-1)
    with pytest.raises(ValueError, match="k must be >= 1"):
        top_k_filter(logits, 0)
    with pytest.raises(TypeError, match="k must be an int"):
        top_k_filter(logits, 2.5)
    with pytest.raises(ValueError, match="penalty must be > 0"):
        apply_repetition_penalty(logits, torch.zeros(2, 1, dtype=torch.long), 0)
    with pytest.raises(ValueError, match="floating-point"):
        top_k_filter(torch.ones(3, dtype=torch.long), 1)
