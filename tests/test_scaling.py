"""The arithmetic of scale: the parameter formula against real architectures, compute, memory."""

from __future__ import annotations

import math
import random

import pytest
import torch

from course_utils import scaling
from course_utils.models import TinyGPT
from course_utils.models._offline import import_transformers
from course_utils.scaling import (
    ARCHITECTURES,
    GPUS,
    architecture_parameters,
    compute_optimal_split,
    compute_optimal_tokens,
    estimate_scale,
    fit_power_law,
    format_bytes,
    format_count,
    gpus_to_hold,
    kv_cache_memory,
    training_days,
    training_flops,
    training_memory,
    transformer_parameters,
    weights_memory,
)


@pytest.fixture(scope="module")
def transformers():
    return import_transformers("The scaling tests")


def meta_count(model_class, config) -> int:
    """Parameters of a model built on the meta device: no memory, nothing downloaded."""
    with torch.device("meta"):
        model = model_class.from_config(config)
    return sum(p.numel() for p in model.parameters())


# ----------------------------------------------------------------------------- real architectures


def test_gpt2_small_equals_the_released_configuration(transformers):
    config = (
        transformers.GPT2Config()
    )  # n_embd 768, 12 layers, 12 heads, 1024 positions
    built = meta_count(transformers.AutoModelForCausalLM, config)
    assert built == architecture_parameters("GPT-2 small").total == 124_439_808


def test_bert_base_equals_the_published_110M(transformers):
    built = meta_count(transformers.AutoModel, transformers.BertConfig())
    assert built == architecture_parameters("BERT-base").total == 109_482_240
    assert (
        round(built / 1e6) == 109 and round(built / 1e7) == 11
    )  # "110M" (Devlin et al.)


def test_llama_7b_equals_the_published_6_7B(transformers):
    config = transformers.LlamaConfig(
        hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, vocab_size=32000,
        max_position_embeddings=2048, tie_word_embeddings=False,
    )  # fmt: skip
    built = meta_count(transformers.AutoModelForCausalLM, config)
    assert built == architecture_parameters("LLaMA-7B").total == 6_738_415_616
    assert round(built / 1e9, 1) == 6.7  # Touvron et al. (2023), Table 2


def test_gpt3_175b_is_within_rounding_of_the_published_count(transformers):
    config = transformers.GPT2Config(
        n_embd=12288, n_layer=96, n_head=96, n_positions=2048
    )
    built = meta_count(transformers.AutoModelForCausalLM, config)
    assert built == architecture_parameters("GPT-3 175B").total
    assert round(built / 1e9) == 175 and abs(built / 175e9 - 1) < 0.003


def test_smollm2_135m_grouped_query_attention_and_swiglu(transformers):
    config = transformers.LlamaConfig(
        hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
        num_attention_heads=9, num_key_value_heads=3, vocab_size=49152,
        tie_word_embeddings=True,
    )  # fmt: skip
    built = meta_count(transformers.AutoModelForCausalLM, config)
    assert built == architecture_parameters("SmolLM2-135M").total == 134_515_008


def test_minilm_l6_equals_its_22_7M(transformers):
    config = transformers.BertConfig(
        hidden_size=384,
        num_hidden_layers=6,
        num_attention_heads=12,
        intermediate_size=1536,
    )
    built = meta_count(transformers.AutoModel, config)
    assert built == architecture_parameters("MiniLM-L6").total == 22_713_216


@pytest.mark.parametrize("seed", range(8))
def test_random_gpt2_shapes(transformers, seed):
    rng = random.Random(seed)
    heads = rng.choice([1, 2, 3, 4, 8])
    d = heads * rng.choice([4, 8, 16])
    n_layer, vocab, context = (
        rng.randint(1, 4),
        rng.randint(2, 500),
        rng.randint(1, 300),
    )
    config = transformers.GPT2Config(
        n_embd=d, n_layer=n_layer, n_head=heads, vocab_size=vocab, n_positions=context
    )
    built = meta_count(transformers.AutoModelForCausalLM, config)
    assert built == transformer_parameters(n_layer, d, heads, vocab, context).total


@pytest.mark.parametrize("seed", range(12))
def test_random_llama_shapes_with_every_option(transformers, seed):
    rng = random.Random(100 + seed)
    kv = rng.choice([1, 2, 3])
    heads = kv * rng.choice([1, 2, 4])
    head_dim = rng.choice([4, 8, 16])
    d = heads * rng.choice([4, 8, 16])  # head_dim need not be d // heads
    d_ff, n_layer, vocab = rng.randint(8, 200), rng.randint(1, 4), rng.randint(2, 500)
    tied, bias = rng.random() < 0.5, rng.random() < 0.5
    config = transformers.LlamaConfig(
        hidden_size=d, intermediate_size=d_ff, num_hidden_layers=n_layer,
        num_attention_heads=heads, num_key_value_heads=kv, head_dim=head_dim,
        vocab_size=vocab, tie_word_embeddings=tied, attention_bias=bias, mlp_bias=bias,
    )  # fmt: skip
    built = meta_count(transformers.AutoModelForCausalLM, config)
    formula = transformer_parameters(
        n_layer, d, heads, vocab, d_ff=d_ff, kv_heads=kv, head_dim=head_dim,
        mlp="gated", norm="rmsnorm", positions="rotary", bias=bias, tied_embeddings=tied,
    )  # fmt: skip
    assert built == formula.total, (d, heads, kv, head_dim, d_ff, tied, bias)


@pytest.mark.parametrize("seed", range(6))
def test_random_bert_shapes(transformers, seed):
    rng = random.Random(200 + seed)
    heads = rng.choice([1, 2, 4])
    d = heads * rng.choice([4, 8])
    n_layer, d_ff = rng.randint(1, 3), rng.randint(4, 100)
    vocab, context, types = rng.randint(2, 300), rng.randint(1, 200), rng.randint(1, 3)
    config = transformers.BertConfig(
        hidden_size=d, num_hidden_layers=n_layer, num_attention_heads=heads,
        intermediate_size=d_ff, vocab_size=vocab, max_position_embeddings=context,
        type_vocab_size=types,
    )  # fmt: skip
    built = meta_count(transformers.AutoModel, config)
    formula = transformer_parameters(
        n_layer,
        d,
        heads,
        vocab,
        context,
        d_ff=d_ff,
        kind="encoder",
        type_vocab_size=types,
    )
    assert built == formula.total


@pytest.mark.parametrize("seed", range(10))
def test_the_course_tiny_gpt(seed):
    rng = random.Random(300 + seed)
    heads = rng.choice([1, 2, 4])
    d, vocab = heads * rng.choice([2, 4, 8, 16]), rng.randint(2, 80)
    block, n_layer = rng.randint(1, 64), rng.randint(1, 4)
    model = TinyGPT(vocab, block_size=block, d_model=d, n_head=heads, n_layer=n_layer)
    formula = transformer_parameters(
        n_layer, d, heads, vocab, block, tied_embeddings=False, head_bias=True
    )
    assert sum(p.numel() for p in model.parameters()) == formula.total


def test_parts_add_up_and_non_embedding_excludes_tables():
    count = architecture_parameters("GPT-2 small")
    assert sum(v for k, v in count.as_dict().items() if k != "total") == count.total
    assert count.non_embedding == 12 * (12 * 768**2 + 13 * 768) + 2 * 768
    untied = transformer_parameters(2, 16, 2, 10, 8, tied_embeddings=False)
    assert untied.head == 160 and untied.non_embedding == untied.total - 160 - 160 - 128


def test_gated_mlp_has_three_matrices_and_rmsnorm_no_offsets():
    plain = transformer_parameters(1, 8, 2, 5, d_ff=12, bias=False, positions="rotary")
    gated = transformer_parameters(
        1, 8, 2, 5, d_ff=12, bias=False, positions="rotary", mlp="gated"
    )
    assert gated.mlp - plain.mlp == 8 * 12
    rms = transformer_parameters(3, 8, 2, 5, norm="rmsnorm")
    layer = transformer_parameters(3, 8, 2, 5, norm="layernorm")
    assert layer.norms == 2 * rms.norms == 2 * 8 * (2 * 3 + 1)


def test_grouped_query_attention_shrinks_keys_and_values_only():
    full = transformer_parameters(1, 64, 8, 10, bias=False)
    grouped = transformer_parameters(1, 64, 8, 10, bias=False, kv_heads=2)
    assert full.attention - grouped.attention == 2 * 64 * (64 - 16)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(n_layer=2, d_model=100, n_head=3, vocab_size=10), ValueError, "divisible by n_head"),
        (dict(n_layer=2, d_model=96, n_head=8, vocab_size=10, kv_heads=3), ValueError, "kv_heads"),
        (dict(n_layer=-1, d_model=64, n_head=4, vocab_size=10), ValueError, "n_layer must be >= 1"),
        (dict(n_layer=2, d_model=64, n_head=4, vocab_size=0), ValueError, "vocab_size"),
        (dict(n_layer=2.5, d_model=64, n_head=4, vocab_size=10), TypeError, "n_layer must be an int"),
        (dict(n_layer=2, d_model=64, n_head=4, vocab_size=10, mlp="swish"), ValueError, "unknown mlp"),
        (dict(n_layer=2, d_model=64, n_head=4, vocab_size=10, norm="batch"), ValueError, "unknown norm"),
        (dict(n_layer=2, d_model=64, n_head=4, vocab_size=10, d_ff=-5), ValueError, "d_ff"),
    ],
)  # fmt: skip
def test_bad_shapes_raise_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=words) as caught:
        transformer_parameters(**kwargs)
    assert "transformer_parameters" in str(caught.value)


def test_bad_arguments_of_the_cost_functions():
    with pytest.raises(ValueError, match="n_params must be >= 0"):
        training_flops(-1, 10)
    with pytest.raises(TypeError, match="n_tokens must be a number"):
        training_flops(1e9, "lots")
    with pytest.raises(ValueError, match="unknown precision"):
        weights_memory(1e9, "fp8x")
    with pytest.raises(ValueError, match="unknown gpu"):
        training_days(1e20, "GTX 480")
    with pytest.raises(ValueError, match="utilization"):
        training_days(1e20, "A100 SXM", utilization=1.5)
    with pytest.raises(ValueError, match="n_gpus must be >= 1"):
        training_days(1e20, "A100 SXM", n_gpus=0)
    with pytest.raises(ValueError, match="tokens_per_parameter"):
        compute_optimal_tokens(1e9, 0)
    with pytest.raises(TypeError, match="shape must be a dict"):
        estimate_scale([12, 768])
    with pytest.raises(ValueError, match="unknown architecture"):
        architecture_parameters("GPT-5")


# ----------------------------------------------------------------------------- compute, memory, time


def test_six_n_d_reproduces_gpt3_published_compute():
    # Brown et al. (2020), Table D.1: 3.14e23 FLOPs for GPT-3 175B on 300B tokens.
    flops = training_flops(architecture_parameters("GPT-3 175B").total, 300e9)
    assert round(flops / 1e23, 2) == 3.14


def test_compute_optimal_split_is_consistent():
    for flops in (1e15, 3e20, 5.88e23):
        n, d = compute_optimal_split(flops)
        assert math.isclose(training_flops(n, d), flops, rel_tol=1e-12)
        assert math.isclose(d / n, 20.0) and math.isclose(compute_optimal_tokens(n), d)
    n, d = compute_optimal_split(5.88e23)  # Chinchilla's budget
    assert round(n / 1e9) == 70 and round(d / 1e12, 1) == 1.4


def test_memory_per_parameter():
    assert [weights_memory(1e9, p) / 1e9 for p in ("fp32", "bf16", "int8", "int4")] == [
        4.0, 2.0, 1.0, 0.5,
    ]  # fmt: skip
    assert training_memory(1e9) == 16e9
    assert (
        kv_cache_memory(2, 3, 4, 5, batch=6, precision="fp32")
        == 2 * 2 * 3 * 4 * 5 * 6 * 4
    )
    assert (
        gpus_to_hold(80e9, "A100 SXM") == 1 and gpus_to_hold(80e9 + 1, "A100 SXM") == 2
    )


def test_training_days_and_llama_65b_utilisation():
    # Touvron et al. (2023): 65.2B parameters, 1.4T tokens, 2048 A100s, about 21 days.
    flops = training_flops(65.2e9, 1.4e12)
    assert math.isclose(training_days(flops, "A100 SXM", 2048, 1.0) * 86400,
                        flops / (2048 * 312e12))  # fmt: skip
    days_at_half = training_days(flops, "A100 SXM", 2048, 0.5)
    assert 19 < days_at_half < 21  # 21 days means a little under 50% utilisation
    assert all(g.peak_tflops > 0 and g.memory_gb > 0 for g in GPUS.values())


def test_estimate_scale_matches_the_pieces():
    shape = ARCHITECTURES["LLaMA-7B"]
    e = estimate_scale(shape, tokens=1e12, precision="int4", gpu="H100 SXM", n_gpus=64)
    n = e.parameters.total
    assert e.flops == training_flops(n, 1e12) and e.serve_bytes == n / 2
    assert e.kv_cache_bytes == kv_cache_memory(32, 32, 128, 2048, precision="int4")
    assert e.days == training_days(e.flops, "H100 SXM", 64, 0.4)
    assert estimate_scale(shape).tokens == 20 * n


# ----------------------------------------------------------------------------- fits and formatting


@pytest.mark.parametrize("alpha", [0.05, 0.076, 0.5, 1.3])
def test_fit_power_law_recovers_the_exponent(alpha):
    x = [10.0**k for k in range(2, 8)]
    rng = random.Random(0)
    y = [3.0 * v**-alpha * math.exp(rng.gauss(0, 1e-4)) for v in x]
    a, fitted = fit_power_law(x, y)
    assert abs(fitted - alpha) < 1e-3 and abs(a / 3.0 - 1) < 1e-2


def test_fit_power_law_bad_input():
    with pytest.raises(ValueError, match="positive"):
        fit_power_law([1, 2], [1, 0])
    with pytest.raises(ValueError, match="same length"):
        fit_power_law([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="two different"):
        fit_power_law([2, 2], [1, 3])


def test_formatting():
    assert [format_count(v) for v in (999, 1500, 124_439_808, 6.738e9, 1.75e11, 1.4e12)] == [
        "999", "1.5k", "124.4M", "6.74B", "175B", "1.4T",
    ]  # fmt: skip
    assert format_bytes(2**31) == "2.15 GB" and format_bytes(12) == "12 B"
    assert scaling.__all__ and all(hasattr(scaling, name) for name in scaling.__all__)
