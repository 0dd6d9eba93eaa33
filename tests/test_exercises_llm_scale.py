"""The checkers of the LLM chapter's second half accept right answers and catch the usual slips."""

import math

import torch

from course_utils import exercises


def test_warmup_cosine():
    def right(step, warmup_steps, total_steps, min_ratio):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps - 1)
        return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    def warmup_from_zero(step, warmup_steps, total_steps, min_ratio):  # step 0 has lr 0
        if step < warmup_steps:
            return step / warmup_steps
        return right(step, warmup_steps, total_steps, min_ratio)

    def no_floor(step, warmup_steps, total_steps, min_ratio):
        return right(step, warmup_steps, total_steps, 0.0)

    assert exercises.check_llm_warmup_cosine(right, verbose=False)
    assert not exercises.check_llm_warmup_cosine(warmup_from_zero, verbose=False)
    assert not exercises.check_llm_warmup_cosine(no_floor, verbose=False)


def test_ring_all_reduce():
    def right(chunks):
        n = len(chunks)
        data = [list(row) for row in chunks]
        for step in range(n - 1):  # reduce-scatter
            sent = [data[r][(r - step) % n] for r in range(n)]
            for r in range(n):
                data[(r + 1) % n][(r - step) % n] += sent[r]
        for step in range(n - 1):  # all-gather
            sent = [data[r][(r + 1 - step) % n] for r in range(n)]
            for r in range(n):
                data[(r + 1) % n][(r + 1 - step) % n] = sent[r]
        return data

    def reduce_scatter_only(chunks):
        n = len(chunks)
        data = [list(row) for row in chunks]
        for step in range(n - 1):
            sent = [data[r][(r - step) % n] for r in range(n)]
            for r in range(n):
                data[(r + 1) % n][(r - step) % n] += sent[r]
        return data

    assert exercises.check_ring_all_reduce(right, verbose=False)
    assert not exercises.check_ring_all_reduce(reduce_scatter_only, verbose=False)


def test_fake_quantize_symmetric():
    def right(x, bits):
        qmax = 2 ** (bits - 1) - 1
        scale = x.abs().max() / qmax
        return torch.clamp(torch.round(x / scale), -qmax - 1, qmax) * scale

    def truncates(x, bits):
        qmax = 2 ** (bits - 1) - 1
        scale = x.abs().max() / qmax
        return torch.trunc(x / scale) * scale

    def full_range(x, bits):  # divides by 2^(bits-1): the largest value is not reached
        scale = x.abs().max() / 2 ** (bits - 1)
        return torch.round(x / scale) * scale

    assert exercises.check_fake_quantize_symmetric(right, verbose=False)
    assert not exercises.check_fake_quantize_symmetric(truncates, verbose=False)
    assert not exercises.check_fake_quantize_symmetric(full_range, verbose=False)
    stub = exercises.check_fake_quantize_symmetric(
        lambda x, bits: (_ for _ in ()).throw(NotImplementedError), verbose=False
    )
    assert "not written yet" in stub.message
