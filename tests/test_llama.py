"""The from-scratch Llama against ``transformers``' LlamaForCausalLM, on small random models."""

from __future__ import annotations

import pytest
import torch

from course_utils.models import Llama, LlamaKVCache, LlamaSettings, generate_tokens
from course_utils.models._offline import import_transformers

transformers = import_transformers("The Llama tests")

CONFIGS = [
    dict(
        hidden_size=32, num_attention_heads=4, num_key_value_heads=4
    ),  # plain multi-head
    dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2),
    dict(hidden_size=48, num_attention_heads=6, num_key_value_heads=1),  # multi-query
    dict(hidden_size=36, num_attention_heads=9, num_key_value_heads=3, head_dim=8),
    dict(
        hidden_size=32,
        num_attention_heads=2,
        num_key_value_heads=1,
        tie_word_embeddings=False,
    ),
]


def _pair(seed: int, **overrides):
    torch.manual_seed(seed)
    settings = dict(
        vocab_size=97,
        intermediate_size=40,
        num_hidden_layers=2,
        max_position_embeddings=48,
        rms_norm_eps=1e-5,
        rope_parameters={"rope_theta": 1000.0 * (seed + 1), "rope_type": "default"},
        tie_word_embeddings=True,
    )
    settings.update(overrides)
    config = transformers.LlamaConfig(**settings)
    reference = transformers.LlamaForCausalLM(config).eval()
    with torch.no_grad():  # random norm gains, so that a wrong norm cannot hide
        for name, parameter in reference.named_parameters():
            if "norm" in name:
                parameter.uniform_(0.5, 1.5)
    return Llama.from_transformers(reference), reference


@pytest.mark.parametrize("index", range(len(CONFIGS)))
@pytest.mark.parametrize("batch, length", [(1, 1), (2, 5), (3, 17)])
def test_logits_match_transformers(index, batch, length):
    ours, reference = _pair(index, **CONFIGS[index])
    ids = torch.randint(0, 97, (batch, length))
    with torch.no_grad():
        torch.testing.assert_close(
            ours(ids), reference(ids).logits, atol=1e-5, rtol=1e-4
        )


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_cache_gives_the_same_logits_in_pieces(index):
    ours, _ = _pair(index, **CONFIGS[index])
    ids = torch.randint(0, 97, (2, 12))
    cache = ours.new_cache()
    with torch.no_grad():
        pieces = torch.cat(
            [
                ours(ids[:, :5], cache),
                ours(ids[:, 5:6], cache),
                ours(ids[:, 6:], cache),
            ],
            1,
        )
        torch.testing.assert_close(pieces, ours(ids), atol=1e-5, rtol=1e-4)
    assert cache.length == 12
    config = ours.config
    assert cache.nbytes() == 2 * 12 * config.kv_cache_bytes_per_token()  # batch of 2
    cache.crop(4)
    assert cache.length == 4 and cache.keys[0].shape[-2] == 4


def test_parameters_are_shared_with_the_transformers_model():
    ours, reference = _pair(0, **CONFIGS[1])
    ours_q = ours.model.layers[0].self_attn.q_proj.weight
    reference_q = reference.model.layers[0].self_attn.q_proj.weight
    assert ours_q.data_ptr() == reference_q.data_ptr()  # one storage: no copy
    with torch.no_grad():
        reference_q.add_(1.0)  # e.g. merging a LoRA update into the reference ...
    assert torch.equal(ours_q, reference_q)  # ... shows in the from-scratch model
    assert ours.lm_head.weight is ours.model.embed_tokens.weight  # tied
    assert sum(p.numel() for p in ours.parameters()) == sum(
        p.numel() for p in reference.parameters()
    )


@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_greedy_generation_matches_transformers(index):
    ours, reference = _pair(index, **CONFIGS[index])
    prompt = torch.randint(0, 97, (1, 6))
    expected = reference.generate(
        prompt, max_new_tokens=10, do_sample=False, pad_token_id=0
    )
    for use_cache in (True, False):
        got = generate_tokens(ours, prompt, 10, temperature=0, use_cache=use_cache)
        assert torch.equal(got, expected[:, : got.shape[1]])


def test_sampling_with_and_without_cache_is_identical():
    ours, _ = _pair(3, **CONFIGS[3])
    prompt = torch.randint(0, 97, (3, 4))
    runs = [
        generate_tokens(
            ours,
            prompt,
            12,
            temperature=0.9,
            top_k=20,
            top_p=0.9,
            repetition_penalty=1.3,
            use_cache=use_cache,
            generator=torch.Generator().manual_seed(7),
        )
        for use_cache in (True, False)
    ]
    assert torch.equal(*runs)


def test_generation_stops_at_the_end_token():
    ours, _ = _pair(1, **CONFIGS[1])
    prompt = torch.randint(0, 97, (1, 3))
    first = generate_tokens(ours, prompt, 1, temperature=0)[0, -1].item()
    out = generate_tokens(ours, prompt, 10, temperature=0, eos_token_id=first)
    assert out.shape[1] == 4


def test_bad_input():
    ours, _ = _pair(0, **CONFIGS[0])
    with pytest.raises(ValueError, match="exceed the context of 48 tokens"):
        ours(torch.zeros(1, 49, dtype=torch.long))
    cache = ours.new_cache()
    ours(torch.zeros(1, 40, dtype=torch.long), cache)
    with pytest.raises(ValueError, match=r"40 cached \+ 9 new"):
        ours(torch.zeros(1, 9, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="exceed the model's context of 48 tokens"):
        generate_tokens(ours, torch.zeros(1, 40, dtype=torch.long), 10)
    with pytest.raises(ValueError, match="input_ids of shape"):
        ours(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="multiple of num_key_value_heads"):
        LlamaSettings(10, 32, 64, 1, num_attention_heads=4, num_key_value_heads=3)
    with pytest.raises(TypeError, match="LlamaSettings"):
        Llama({"vocab_size": 10})
    with pytest.raises(ValueError, match="holds 0 positions"):
        LlamaKVCache(2).crop(3)


def test_settings_from_a_transformers_config():
    config = transformers.LlamaConfig(
        vocab_size=49152,
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=30,
        num_attention_heads=9,
        num_key_value_heads=3,
        rope_parameters={"rope_theta": 100000.0, "rope_type": "default"},
        tie_word_embeddings=True,
        max_position_embeddings=8192,
    )
    settings = LlamaSettings.from_config(config)
    assert settings.head_dim == 64 and settings.rope_theta == 100000.0
    assert settings.kv_cache_bytes_per_token() == 2 * 30 * 3 * 64 * 4
