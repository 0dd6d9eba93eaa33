"""The from-scratch Llama runs the real SmolLM2-135M-Instruct (one shared copy, see conftest)."""

from __future__ import annotations

import pytest
import torch

from course_utils.models import Llama, generate_tokens


@pytest.fixture(scope="module")
def scratch(smollm):
    model, _ = smollm
    return Llama.from_transformers(model)


def test_parameter_count_formula(smollm):
    model, _ = smollm
    c = model.config
    d, kv = c.hidden_size, c.num_key_value_heads * c.head_dim
    per_layer = d * d * 2 + 2 * d * kv + 3 * d * c.intermediate_size + 2 * d
    formula = c.vocab_size * d + c.num_hidden_layers * per_layer + d  # tied embeddings
    assert formula == sum(p.numel() for p in model.parameters()) == 134_515_008


def test_same_logits_as_transformers(smollm, scratch):
    model, tokenizer = smollm
    ids = torch.tensor(
        [tokenizer.encode("In the beginning God created the heaven and the earth.")]
    )
    with torch.no_grad():
        difference = (scratch(ids) - model(ids).logits).abs().max().item()
    assert difference < 1e-3, difference


def test_greedy_chat_answer_matches_transformers(smollm, scratch):
    model, tokenizer = smollm
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}],
        add_generation_prompt=True,
        tokenize=False,
    )
    ids = torch.tensor([tokenizer.encode(text)])
    ours = generate_tokens(
        scratch, ids, 12, temperature=0, eos_token_id=tokenizer.eos_token_id
    )
    theirs = model.generate(ids, max_new_tokens=12, do_sample=False)
    assert torch.equal(ours[0], theirs[0, : ours.shape[1]])
    assert "Paris" in tokenizer.decode(ours[0, ids.shape[1] :])


def test_kv_cache_bytes_per_token(scratch):
    cache = scratch.new_cache()
    with torch.no_grad():
        scratch(torch.zeros(1, 10, dtype=torch.long), cache)
    assert (
        cache.nbytes() / cache.length
        == scratch.config.kv_cache_bytes_per_token()
        == 46_080
    )


def test_a_prompt_longer_than_the_context_is_refused(scratch):
    with pytest.raises(ValueError, match="exceed the context of 8192 tokens"):
        scratch(torch.zeros(1, 8193, dtype=torch.long))
