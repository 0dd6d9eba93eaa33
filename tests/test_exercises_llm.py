"""The checkers of the large-models chapter accept right answers and explain wrong ones."""

import torch

from course_utils import exercises
from course_utils.models import top_p_filter


def test_merge_pair():
    def right(symbols, pair):
        out, i = [], 0
        while i < len(symbols):
            if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
                out.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                out.append(symbols[i])
                i += 1
        return out

    def overlapping(symbols, pair):  # merges "aaa" into two symbols
        return (
            [a + b for a, b in zip(symbols, symbols[1:])]
            if len(symbols) > 1
            else list(symbols)
        )

    def in_place(symbols, pair):
        symbols[:] = right(symbols, pair)
        return symbols

    def stub(symbols, pair):
        raise NotImplementedError

    assert exercises.check_merge_pair(right, verbose=False)
    assert not exercises.check_merge_pair(overlapping, verbose=False)
    assert (
        "changed its input"
        in exercises.check_merge_pair(in_place, verbose=False).message
    )
    assert "not written yet" in exercises.check_merge_pair(stub, verbose=False).message


def test_top_p_filter():
    assert exercises.check_top_p_filter(top_p_filter)

    def drops_one_too_many(logits, p):
        probs = logits.softmax(-1)
        sorted_probs, order = probs.sort(-1, descending=True)
        remove = sorted_probs.cumsum(-1) > p
        return logits.masked_fill(remove.scatter(-1, order, remove), float("-inf"))

    assert not exercises.check_top_p_filter(drops_one_too_many)


def test_lora_forward():
    def right(x, weight, lora_A, lora_B, alpha):
        return x @ weight.T + alpha / lora_A.shape[0] * x @ lora_A.T @ lora_B.T

    def no_scale(x, weight, lora_A, lora_B, alpha):
        return x @ weight.T + x @ lora_A.T @ lora_B.T

    assert exercises.check_lora_forward(right)
    assert not exercises.check_lora_forward(no_scale)
    assert not exercises.check_lora_forward(lambda **kw: torch.zeros(1))
