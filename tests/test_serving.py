"""Serving arithmetic (KV cache, roofline, cost) and the training-at-scale arithmetic of scaling."""

from __future__ import annotations

import math

import pytest
import torch

from course_utils.models._offline import import_transformers
from course_utils.scaling import (
    GPUS,
    activation_memory,
    model_states_per_gpu,
    pipeline_bubble,
    ring_all_reduce_bytes,
    tensor_parallel_traffic,
    transformer_parameters,
    zero_memory,
)
from course_utils.serving import (
    SERVED_MODELS,
    SERVING_GPUS,
    cost_per_million_tokens,
    critical_batch,
    estimate_serving,
    format_serving_table,
    inference_activation_memory,
    kv_cache_bytes_per_token,
    max_batch,
    measure_decoding,
    serving_table,
)


def _tiny_llama(layers=2, d=32, heads=4, kv_heads=2, vocab=50):
    transformers = import_transformers("test")
    config = transformers.LlamaConfig(
        hidden_size=d, intermediate_size=64, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, vocab_size=vocab,
        max_position_embeddings=128, tie_word_embeddings=True,
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config).eval()
    shape = dict(n_layer=layers, d_model=d, n_head=heads, kv_heads=kv_heads, d_ff=64,
                 vocab_size=vocab, context=128, mlp="gated", norm="rmsnorm",
                 positions="rotary", bias=False)  # fmt: skip
    return model, shape


def _cache_bytes(past) -> int:
    if hasattr(past, "layers"):  # transformers >= 4.56: a Cache of layers
        tensors = [t for layer in past.layers for t in (layer.keys, layer.values)]
    else:
        tensors = [t for pair in past for t in pair]
    return sum(t.numel() * t.element_size() for t in tensors)


@pytest.mark.parametrize("layers, kv_heads", [(1, 4), (2, 2), (3, 1)])
def test_kv_cache_per_token_equals_what_transformers_stores(layers, kv_heads):
    model, shape = _tiny_llama(layers=layers, kv_heads=kv_heads)
    assert (
        sum(p.numel() for p in model.parameters())
        == transformer_parameters(**shape).total
    )
    for batch, tokens in [(1, 5), (3, 17)]:
        ids = torch.randint(0, 50, (batch, tokens))
        with torch.no_grad():
            past = model(ids, use_cache=True).past_key_values
        per_token = kv_cache_bytes_per_token(shape, "fp32")
        assert _cache_bytes(past) == per_token * batch * tokens


def test_measure_decoding_on_a_tiny_model():
    model, _ = _tiny_llama()
    timing = measure_decoding(model, batch=2, prompt_length=4, new_tokens=3)
    assert timing.batch == 2 and timing.new_tokens == 3
    assert timing.prefill_seconds > 0 and timing.decode_seconds > 0
    assert math.isclose(timing.tokens_per_second, 6 / timing.decode_seconds)
    assert math.isclose(timing.step_seconds, timing.decode_seconds / 3)


def test_memory_parts_scale_as_expected():
    shape = SERVED_MODELS["LLaMA-7B"]
    one = estimate_serving(shape, "bf16", batch=1, context=1024)
    more = estimate_serving(shape, "bf16", batch=8, context=2048)
    assert more.weights == one.weights
    assert more.kv_cache == 16 * one.kv_cache  # 8x the sequences, 2x the tokens
    assert estimate_serving(shape, "int4").weights == one.weights / 4
    assert estimate_serving(shape, "fp32").kv_precision == "fp32"
    assert inference_activation_memory(shape, 10) == 10 * inference_activation_memory(
        shape, 1
    )
    assert one.total == one.weights + one.kv_cache + one.activations


def test_decoding_is_memory_bound_at_small_batches_and_compute_bound_at_large():
    shape = SERVED_MODELS["Llama-3-8B"]
    small = estimate_serving(shape, batch=1, context=128)
    large = estimate_serving(shape, batch=4096, context=128)
    assert small.memory_bound and not large.memory_bound
    speeds = [estimate_serving(shape, batch=b, context=512).tokens_per_second
              for b in (1, 2, 4, 8, 16, 32)]  # fmt: skip
    assert all(a < b for a, b in zip(speeds, speeds[1:]))
    # Memory-bound at batch 1: the step time is the bytes read over the bandwidth.
    expected = (small.weights + small.kv_cache) / (GPUS["H100 SXM"].bandwidth * 0.8)
    assert math.isclose(small.step_seconds, expected)
    assert 100 < critical_batch("bf16", "H100 SXM") < 1000


def test_max_batch_is_the_edge_of_fitting():
    for name in ("LLaMA-7B", "Llama-3-8B", "SmolLM2-135M"):
        shape = SERVED_MODELS[name]
        b = max_batch(shape, context=2048, gpu="A100 SXM")
        assert b >= 1
        assert estimate_serving(shape, batch=b, context=2048, gpu="A100 SXM").fits
        assert not estimate_serving(
            shape, batch=b + 1, context=2048, gpu="A100 SXM"
        ).fits
    assert max_batch(SERVED_MODELS["Llama-2-70B"], gpu="L4") == 0
    assert max_batch(SERVED_MODELS["Llama-2-70B"], gpu="H100 SXM", n_gpus=4) > 0


def test_cost_per_million_tokens():
    assert math.isclose(cost_per_million_tokens(1e6 / 3600, 1.0), 1.0)
    e = estimate_serving(SERVED_MODELS["Llama-3-8B"], batch=16, price_per_hour=4.0)
    assert math.isclose(e.cost_per_million, 4.0 / (e.tokens_per_second * 3600) * 1e6)
    assert "per million tokens" in e.summary()


def test_served_models_have_their_published_sizes():
    published = {"Llama-3-8B": 8.03e9, "Llama-2-70B": 68.98e9, "Llama-3-70B": 70.55e9,
                 "LLaMA-7B": 6.74e9, "SmolLM2-135M": 134.5e6, "Llama-2-7B": 6.74e9,
                 "Llama-2-13B": 13.016e9, "Mistral-7B": 7.2417e9,
                 "Qwen2-7B": 7.6156e9}  # fmt: skip
    assert set(published) == set(SERVED_MODELS)
    for name, count in published.items():
        total = transformer_parameters(**SERVED_MODELS[name]).total
        assert abs(total / count - 1) < 1e-3, name


def test_zero_stages_divide_what_they_shard():
    n = 1e9
    assert zero_memory(n, 8, 0) == 16 * n
    assert zero_memory(n, 8, 1) == (2 + 2 + 12 / 8) * n
    assert zero_memory(n, 8, 2) == (2 + 14 / 8) * n
    assert zero_memory(n, 8, 3) == 16 * n / 8
    assert all(zero_memory(n, 1, s) == 16 * n for s in range(4))
    assert (
        model_states_per_gpu(n, tensor=2, pipeline=2, data=4, zero_stage=3)
        == 16 * n / 16
    )


def test_activation_memory_formula():
    # One layer, s = 2, b = 1, h = 4, a = 2: 2 * 4 * (34 + 5 * 2 * 2 / 4) = 312 bytes.
    assert activation_memory(1, 4, 2, 2) == 312
    assert activation_memory(3, 4, 2, 2, batch=5) == 15 * 312
    assert (
        activation_memory(3, 4, 2, 2, batch=5, checkpointing=True) == 3 * 2 * 2 * 5 * 4
    )


def test_communication_and_pipeline_arithmetic():
    assert ring_all_reduce_bytes(100, 1) == 0
    assert ring_all_reduce_bytes(100, 4) == 150
    assert pipeline_bubble(1, 5) == 0
    assert pipeline_bubble(4, 4) == 3 / 7
    assert tensor_parallel_traffic(10, 8, 2, 1) == 0
    assert tensor_parallel_traffic(10, 8, 2, 2, "fp32") == 4 * 2 * 10 * 8 * 4


def test_bad_input_is_rejected():
    shape = SERVED_MODELS["LLaMA-7B"]
    with pytest.raises(ValueError, match="unknown precision"):
        estimate_serving(shape, "fp8")
    with pytest.raises(ValueError, match="batch must be >= 1"):
        estimate_serving(shape, batch=0)
    with pytest.raises(ValueError, match="unknown gpu"):
        estimate_serving(shape, gpu="RTX 9090")
    with pytest.raises(ValueError, match="efficiency"):
        estimate_serving(shape, efficiency=1.5)
    with pytest.raises(TypeError, match="shape must be a dict"):
        kv_cache_bytes_per_token("LLaMA-7B")
    with pytest.raises(ValueError, match="tokens_per_second must be > 0"):
        cost_per_million_tokens(0, 1.0)
    with pytest.raises(ValueError, match="unknown stage"):
        zero_memory(1e9, 8, 4)
    with pytest.raises(ValueError, match="microbatches must be >= 1"):
        pipeline_bubble(4, 0)
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        measure_decoding("model")


def test_serving_table_agrees_with_estimate_serving_and_max_batch():
    rows = serving_table(precision="int8", batch=4, context=2048)
    assert [r["model"] for r in rows] == list(SERVED_MODELS)
    for row in rows:
        shape = SERVED_MODELS[row["model"]]
        e = estimate_serving(shape, "int8", batch=4, context=2048)
        assert row["total"] == e.total and row["weights"] == e.weights
        assert row["kv_per_token"] == kv_cache_bytes_per_token(shape)
        assert row["kv_heads"] == shape.get("kv_heads", shape["n_head"])
        for gpu_name, gpu in SERVING_GPUS.items():
            assert row["fits"][gpu_name] == (e.total <= gpu.memory_gb * 1e9)
            assert row["max_batch"][gpu_name] == max_batch(shape, "int8", 2048, gpu)
            # fitting at batch 4 and a max batch of at least 4 say the same thing
            assert row["fits"][gpu_name] == (row["max_batch"][gpu_name] >= 4)
    assert {g.memory_gb for g in SERVING_GPUS.values()} == {16, 24, 40, 80}
    text = format_serving_table(rows, 4, 2048)
    assert len(text.splitlines()) == len(rows) + 3 and "Qwen2-7B" in text
    table = format_serving_table(rows, 4, 2048, markdown=True).splitlines()
    assert len(table) == len(rows) + 4 and table[-2] == ""
    cells = [line.split(" | ") for line in [table[0], *table[2 : len(rows) + 2]]]
    assert len({len(c) for c in cells}) == 1  # every row has every column
    assert table[0].startswith("| model | layers |") and "RTX 4090 24GB" in table[0]
    for row, line in zip(rows, table[2:]):
        assert line.startswith(f"| {row['model']} |")
        assert line.endswith(f"({row['max_batch']['H100 80GB']}) |")
    # grouped-query attention: Llama 3 8B's cache per token is a quarter of Llama 2 7B's
    by_name = {r["model"]: r for r in rows}
    assert (
        by_name["Llama-2-7B"]["kv_per_token"]
        == 4 * by_name["Llama-3-8B"]["kv_per_token"]
    )


def test_serving_table_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown model"):
        serving_table(["GPT-5"])
    with pytest.raises(ValueError, match="unknown gpu"):
        serving_table(gpus=["RTX 9090"])
    with pytest.raises(ValueError, match="unknown precision"):
        serving_table(precision="fp8")
    with pytest.raises(ValueError, match="batch must be >= 1"):
        serving_table(batch=0)
    with pytest.raises(ValueError, match="rows is empty"):
        format_serving_table([], 1, 1)


def test_every_gpu_of_the_table_is_known_by_name_and_in_the_explorer():
    from course_utils.serving import KNOWN_GPUS, SERVING_GPUS, estimate_serving
    from course_utils.widgets import ServingExplorer

    explorer = ServingExplorer()
    for gpu in SERVING_GPUS.values():
        assert KNOWN_GPUS[gpu.name] is gpu
        assert gpu.name in explorer.gpu.options
        assert estimate_serving(SERVED_MODELS["Mistral-7B"], gpu=gpu.name).gpu is gpu
    with pytest.raises(ValueError, match="gpu"):
        estimate_serving(SERVED_MODELS["Mistral-7B"], gpu="RTX 9999")
