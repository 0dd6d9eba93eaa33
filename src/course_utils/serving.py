"""The arithmetic of serving an LLM: memory, speed and cost of generating text.

Generating one token for each of ``B`` sequences reads every weight once and the
KV cache of every sequence, and does about ``2 N B`` floating-point operations.
A GPU reads memory far more slowly than it computes, so at small batches decoding
is **memory-bound**: a step takes about ``bytes read / bandwidth`` whatever ``B`` is,
and a larger batch gives more tokens per second almost for free, until the
compute (``2 N B / peak``) catches up or the KV caches fill the memory. This
module turns a model's shape (the arguments of
:func:`course_utils.scaling.transformer_parameters`), a number format, a batch, a
context and a GPU into:

- memory: weights, KV cache (``2 x layers x KV heads x head size`` numbers per
  token and sequence), and the transient activations of one forward pass;
- speed: the time of one decoding step on that roofline, tokens per second and
  the latency between two tokens of one sequence;
- cost per million generated tokens at a price per GPU-hour (an assumption you
  choose; prices vary between providers and over time).

:func:`measure_decoding` measures the same numbers on a real model on the
machine at hand.

Example:
    >>> e = estimate_serving(SERVED_MODELS["LLaMA-7B"], batch=1, context=4096)
    >>> format_bytes(e.weights), format_bytes(e.kv_cache)
    ('13.5 GB', '2.15 GB')
    >>> round(e.tokens_per_second)  # one sequence on an H100: memory-bound
    172
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from ._validation import require_choice, require_int, require_positive
from .scaling import (
    ARCHITECTURES,
    BYTES_PER_PARAMETER,
    GPU,
    GPUS,
    format_bytes,
    kv_cache_memory,
    transformer_parameters,
)

__all__ = [
    "SERVED_MODELS",
    "SERVING_GPUS",
    "KNOWN_GPUS",
    "PRECISIONS",
    "kv_cache_bytes_per_token",
    "inference_activation_memory",
    "ServingEstimate",
    "estimate_serving",
    "max_batch",
    "cost_per_million_tokens",
    "critical_batch",
    "serving_table",
    "format_serving_table",
    "DecodingTiming",
    "measure_decoding",
]

_LLAMA = dict(mlp="gated", norm="rmsnorm", positions="rotary", bias=False)

#: Shapes of real decoder models (arguments of ``transformer_parameters``), from the
#: papers and the configurations their authors released; the counts they give match
#: the published sizes to 0.1% (the unit tests check it).
SERVED_MODELS: dict[str, dict] = {
    # Allal et al. (2025), SmolLM2: 30 layers, 9 query and 3 KV heads.
    "SmolLM2-135M": ARCHITECTURES["SmolLM2-135M"],
    # Touvron et al. (2023a), LLaMA, Table 2 (context 2,048; 4,096 here, as Llama 2).
    "LLaMA-7B": {**ARCHITECTURES["LLaMA-7B"], "context": 4096},
    # Touvron et al. (2023b), Llama 2, Table 1 and the released configs: 7B and 13B
    # keep one KV head per query head; 70B uses grouped-query attention, 8 KV heads.
    "Llama-2-7B": dict(n_layer=32, d_model=4096, n_head=32, d_ff=11008,
                       vocab_size=32000, context=4096, tied_embeddings=False, **_LLAMA),
    "Llama-2-13B": dict(n_layer=40, d_model=5120, n_head=40, d_ff=13824,
                        vocab_size=32000, context=4096, tied_embeddings=False, **_LLAMA),
    "Llama-2-70B": dict(n_layer=80, d_model=8192, n_head=64, kv_heads=8, d_ff=28672,
                        vocab_size=32000, context=4096, tied_embeddings=False, **_LLAMA),
    # Dubey et al. (2024), "The Llama 3 herd of models", Table 3: 8 KV heads at every size.
    "Llama-3-8B": dict(n_layer=32, d_model=4096, n_head=32, kv_heads=8, d_ff=14336,
                       vocab_size=128256, context=8192, tied_embeddings=False, **_LLAMA),
    "Llama-3-70B": dict(n_layer=80, d_model=8192, n_head=64, kv_heads=8, d_ff=28672,
                        vocab_size=128256, context=8192, tied_embeddings=False, **_LLAMA),
    # Jiang et al. (2023), Mistral 7B, Table 1: 8 KV heads, context 8,192 (window 4,096).
    "Mistral-7B": dict(n_layer=32, d_model=4096, n_head=32, kv_heads=8, d_ff=14336,
                       vocab_size=32000, context=8192, tied_embeddings=False, **_LLAMA),
    # Yang et al. (2024), Qwen2, Table 1 and the released config: 28 query heads and
    # 4 KV heads of 128; the biases of the query, key and value projections (0.002%
    # of the weights) are left out of the count.
    "Qwen2-7B": dict(n_layer=28, d_model=3584, n_head=28, kv_heads=4, d_ff=18944,
                     vocab_size=152064, context=32768, tied_embeddings=False, **_LLAMA),
}  # fmt: skip

#: The GPUs a served model is usually sized against: the course's datasheet numbers
#: (:data:`course_utils.scaling.GPUS`) plus the 40 GB A100 (same chip, HBM2 at
#: 1,555 GB/s: NVIDIA's A100 datasheet) and the RTX 4090 (24 GB at 1,008 GB/s,
#: 165 dense bf16 TFLOP/s with float32 accumulation: NVIDIA's Ada architecture
#: whitepaper, 2022). The T4 is the GPU of Colab's free tier.
SERVING_GPUS: dict[str, GPU] = {
    "T4 16GB": GPUS["T4"],
    "RTX 4090 24GB": GPU("RTX 4090", 165.2, "bf16", 24, "nvidia2022ada", 1008),
    "A100 40GB": GPU("A100 SXM 40GB", 312.0, "bf16", 40, "nvidia2020a100", 1555),
    "A100 80GB": GPUS["A100 SXM"],
    "H100 80GB": GPUS["H100 SXM"],
}

#: Every GPU the serving functions know by name: the chips of ``scaling.GPUS`` and the
#: cards of :data:`SERVING_GPUS` that are not among them (RTX 4090, A100 40GB).
KNOWN_GPUS: dict[str, GPU] = GPUS | {gpu.name: gpu for gpu in SERVING_GPUS.values()}

#: Number formats of weights and KV cache, with their bytes per number.
PRECISIONS = BYTES_PER_PARAMETER


def _shape_numbers(shape: dict, who: str) -> tuple[int, int, int, int]:
    """(layers, KV heads, head size, d_model) of a shape dict."""
    if not isinstance(shape, dict):
        raise TypeError(
            f"{who}: shape must be a dict of transformer_parameters arguments, "
            f"got {type(shape).__name__}"
        )
    n_head = shape["n_head"]
    head_dim = shape.get("head_dim") or shape["d_model"] // n_head
    return shape["n_layer"], shape.get("kv_heads") or n_head, head_dim, shape["d_model"]


def kv_cache_bytes_per_token(shape: dict, precision: str = "bf16") -> float:
    """Bytes the KV cache grows by for each token of one sequence.

    Example:
        >>> kv_cache_bytes_per_token(SERVED_MODELS["LLaMA-7B"]) / 2**20  # 0.5 MiB a token
        0.5
        >>> kv_cache_bytes_per_token(SERVED_MODELS["Llama-3-8B"]) / 2**20  # 8 KV heads: 4x less
        0.125
    """
    layers, kv_heads, head_dim, _ = _shape_numbers(shape, "kv_cache_bytes_per_token")
    return kv_cache_memory(layers, kv_heads, head_dim, 1, 1, precision)


def inference_activation_memory(
    shape: dict, tokens: int, precision: str = "bf16"
) -> float:
    """Bytes of the transient activations of one forward pass over ``tokens`` tokens.

    Nothing is kept for a backward pass, so only one layer's intermediates are
    alive at a time: per token the residual stream and its normalized copy
    (``2d``), queries, keys and values (``d + 2 x KV width``), the attention
    output (``d``) and the MLP's hidden vectors (3 of ``d_ff`` for a gated MLP,
    2 otherwise), plus float32 logits over the vocabulary. Attention is assumed
    fused (flash attention): the ``T x T`` score matrix is never stored.

    Example:
        >>> round(inference_activation_memory(SERVED_MODELS["LLaMA-7B"], 512) / 1e6)
        125
    """
    who = "inference_activation_memory"
    require_int(who, "tokens", tokens, minimum=1)
    require_choice(who, "precision", precision, list(PRECISIONS))
    layers, kv_heads, head_dim, d = _shape_numbers(shape, who)
    d_ff = shape.get("d_ff") or 4 * d
    hidden = (3 if shape.get("mlp") == "gated" else 2) * d_ff
    per_token = 2 * d + d + 2 * kv_heads * head_dim + d + hidden
    number = max(PRECISIONS[precision], 2.0)  # activations stay in 16 bits at least
    return tokens * (per_token * number + shape["vocab_size"] * 4.0)


@dataclass(frozen=True)
class ServingEstimate:
    """Memory, speed and cost of serving one model on one kind of GPU (roofline estimate)."""

    parameters: int
    precision: str
    kv_precision: str
    batch: int
    context: int
    gpu: GPU
    n_gpus: int
    weights: float  # bytes, all GPUs together
    kv_cache: float
    activations: float
    step_seconds: float  # one decoding step of the whole batch
    memory_bound: bool
    price_per_hour: float  # per GPU, an assumption

    @property
    def total(self) -> float:
        """Bytes of weights, KV cache and activations."""
        return self.weights + self.kv_cache + self.activations

    @property
    def capacity(self) -> float:
        """Bytes of memory of all the GPUs."""
        return self.n_gpus * self.gpu.memory_gb * 1e9

    @property
    def fits(self) -> bool:
        return self.total <= self.capacity

    @property
    def tokens_per_second(self) -> float:
        """Tokens generated per second, all sequences of the batch together."""
        return self.batch / self.step_seconds

    @property
    def latency_per_token(self) -> float:
        """Seconds between two tokens of one sequence (the step time)."""
        return self.step_seconds

    @property
    def cost_per_million(self) -> float:
        """Dollars per million generated tokens at ``price_per_hour`` per GPU."""
        return cost_per_million_tokens(
            self.tokens_per_second, self.price_per_hour * self.n_gpus
        )

    def summary(self) -> str:
        """One line a reader can scan."""
        fits = "fits" if self.fits else "does NOT fit"
        bound = "memory-bound" if self.memory_bound else "compute-bound"
        return (
            f"{format_bytes(self.weights)} weights + {format_bytes(self.kv_cache)} KV cache + "
            f"{format_bytes(self.activations)} activations = {format_bytes(self.total)}: "
            f"{fits} in {self.n_gpus} x {self.gpu.name}; {self.tokens_per_second:,.0f} tokens/s "
            f"({bound}), {self.latency_per_token * 1000:.1f} ms/token, "
            f"${self.cost_per_million:.2f} per million tokens"
        )


def estimate_serving(
    shape: dict,
    precision: str = "bf16",
    batch: int = 1,
    context: int = 4096,
    gpu: str | GPU = "H100 SXM",
    n_gpus: int = 1,
    *,
    kv_precision: str | None = None,
    prefill_chunk: int = 512,
    efficiency: float = 0.8,
    price_per_hour: float = 2.5,
) -> ServingEstimate:
    """Memory and decoding speed of ``batch`` sequences of ``context`` tokens.

    Args:
        shape: arguments of :func:`~course_utils.scaling.transformer_parameters`.
        precision: number format of the weights (``fp32``, ``bf16``, ``int8``, ``int4``).
        batch, context: sequences decoded together, and the tokens each one holds
            (its KV cache is counted full: the worst case at the end of a long answer).
        gpu, n_gpus: where it runs (the weights are split across the GPUs).
        kv_precision: format of the KV cache (default: ``bf16``, or ``fp32`` for fp32).
        prefill_chunk: tokens of a prompt processed in one forward pass (chunked
            prefill); sets the activation memory with the batch.
        efficiency: the share of the peak bandwidth and FLOP/s actually reached.
        price_per_hour: dollars per GPU-hour (an assumption).

    One decoding step reads the weights and every KV cache once (memory time) and
    does ``2 N B`` FLOPs plus the attention over the context (compute time); it
    takes the longer of the two.
    """
    who = "estimate_serving"
    require_choice(who, "precision", precision, list(PRECISIONS))
    kv_precision = kv_precision or ("fp32" if precision == "fp32" else "bf16")
    require_choice(who, "kv_precision", kv_precision, list(PRECISIONS))
    require_int(who, "batch", batch, minimum=1)
    require_int(who, "context", context, minimum=1)
    require_int(who, "n_gpus", n_gpus, minimum=1)
    require_int(who, "prefill_chunk", prefill_chunk, minimum=1)
    eff = require_positive(who, "efficiency", efficiency)
    if eff > 1:
        raise ValueError(f"{who}: efficiency must be in (0, 1], got {efficiency!r}")
    price = require_positive(who, "price_per_hour", price_per_hour)
    if isinstance(gpu, str):
        require_choice(who, "gpu", gpu, list(KNOWN_GPUS))
        gpu = KNOWN_GPUS[gpu]
    elif not isinstance(gpu, GPU):
        raise TypeError(f"{who}: gpu must be a name or a GPU, got {type(gpu).__name__}")
    layers, kv_heads, head_dim, _ = _shape_numbers(shape, who)
    n = transformer_parameters(**shape).total
    weights = n * PRECISIONS[precision]
    kv = kv_cache_memory(layers, kv_heads, head_dim, context, batch, kv_precision)
    activations = inference_activation_memory(
        shape, batch + prefill_chunk, "bf16" if precision != "fp32" else "fp32"
    )
    memory_time = (weights + kv) / (n_gpus * gpu.bandwidth * eff)
    attention_flops = 4 * layers * shape["n_head"] * head_dim * context * batch
    compute_time = (2 * n * batch + attention_flops) / (n_gpus * gpu.peak_flops * eff)
    return ServingEstimate(
        parameters=n,
        precision=precision,
        kv_precision=kv_precision,
        batch=batch,
        context=context,
        gpu=gpu,
        n_gpus=n_gpus,
        weights=weights,
        kv_cache=kv,
        activations=activations,
        step_seconds=max(memory_time, compute_time),
        memory_bound=memory_time >= compute_time,
        price_per_hour=price,
    )


def max_batch(
    shape: dict,
    precision: str = "bf16",
    context: int = 4096,
    gpu: str | GPU = "H100 SXM",
    n_gpus: int = 1,
    **options,
) -> int:
    """The largest batch whose memory fits the GPUs (0 if the weights alone do not fit).

    Example:
        >>> max_batch(SERVED_MODELS["LLaMA-7B"], context=4096)  # 80 GB H100, bf16
        30
        >>> max_batch(SERVED_MODELS["Llama-3-8B"], context=4096)  # GQA: 4x smaller cache
        118
    """

    def fits(b: int) -> bool:
        return estimate_serving(
            shape, precision, b, context, gpu, n_gpus, **options
        ).fits

    if not fits(1):
        return 0
    low, high = 1, 2
    while fits(high):
        low, high = high, high * 2
        if high > 2**24:
            return low
    while high - low > 1:  # fits(low), not fits(high)
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def cost_per_million_tokens(tokens_per_second: float, price_per_hour: float) -> float:
    """Dollars per million tokens for a machine that costs ``price_per_hour`` dollars.

    Example:
        >>> round(cost_per_million_tokens(1000, 2.5), 3)  # 3.6M tokens an hour for $2.50
        0.694
    """
    speed = require_positive(
        "cost_per_million_tokens", "tokens_per_second", tokens_per_second
    )
    price = require_positive(
        "cost_per_million_tokens", "price_per_hour", price_per_hour
    )
    return price / (speed * 3600) * 1e6


@dataclass(frozen=True)
class DecodingTiming:
    """What :func:`measure_decoding` measured: prefill, then one token per sequence per step."""

    batch: int
    prompt_length: int
    new_tokens: int
    prefill_seconds: float
    decode_seconds: float  # all the decoding steps together

    @property
    def step_seconds(self) -> float:
        """Seconds per decoding step: the latency between two tokens of one sequence."""
        return self.decode_seconds / self.new_tokens

    @property
    def tokens_per_second(self) -> float:
        """Generated tokens per second, all sequences together."""
        return self.batch * self.new_tokens / self.decode_seconds


@torch.no_grad()
def measure_decoding(
    model: torch.nn.Module,
    batch: int = 1,
    prompt_length: int = 32,
    new_tokens: int = 16,
    *,
    vocab_size: int | None = None,
    seed: int = 0,
) -> DecodingTiming:
    """Time greedy decoding with a KV cache on a Hugging Face causal language model.

    Random prompts of ``prompt_length`` tokens (the time does not depend on which
    tokens), one prefill pass, then ``new_tokens`` steps that each feed one token
    per sequence and reuse ``past_key_values``. Wall-clock seconds (CUDA is
    synchronized before each reading).
    """
    who = "measure_decoding"
    if not isinstance(model, torch.nn.Module):
        raise TypeError(
            f"{who}: model must be an nn.Module, got {type(model).__name__}"
        )
    require_int(who, "batch", batch, minimum=1)
    require_int(who, "prompt_length", prompt_length, minimum=1)
    require_int(who, "new_tokens", new_tokens, minimum=1)
    vocab = vocab_size or model.config.vocab_size
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (batch, prompt_length), generator=generator).to(
        device
    )

    def now() -> float:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter()

    start = now()
    out = model(ids, use_cache=True)
    past = out.past_key_values
    token = out.logits[:, -1].argmax(-1, keepdim=True)
    middle = now()
    for _ in range(new_tokens):
        out = model(token, past_key_values=past, use_cache=True)
        past = out.past_key_values
        token = out.logits[:, -1].argmax(-1, keepdim=True)
    end = now()
    return DecodingTiming(
        batch, prompt_length, new_tokens, middle - start, end - middle
    )


def critical_batch(precision: str = "bf16", gpu: str | GPU = "H100 SXM") -> float:
    """The batch above which a decoding step stops being memory-bound (weights only).

    Reading ``N x bytes`` of weights takes as long as ``2 N B`` FLOPs when
    ``B = bytes x peak / (2 x bandwidth)``: the GPU's FLOPs per byte, times the
    bytes per weight, over 2.

    Example:
        >>> round(critical_batch("bf16", "H100 SXM"))
        295
    """
    require_choice("critical_batch", "precision", precision, list(PRECISIONS))
    if isinstance(gpu, str):
        require_choice("critical_batch", "gpu", gpu, list(GPUS))
        gpu = GPUS[gpu]
    return PRECISIONS[precision] * gpu.peak_flops / (2 * gpu.bandwidth)


def serving_table(
    models: list[str] | None = None,
    gpus: list[str] | None = None,
    precision: str = "bf16",
    batch: int = 8,
    context: int = 4096,
) -> list[dict]:
    """Memory of real models against real GPUs: one row per model.

    For each model of :data:`SERVED_MODELS` (or ``models``): its shape (layers,
    width, query and KV heads), its parameters, the bytes of its weights at
    ``precision``, its KV cache per token, and the total memory of ``batch``
    sequences of ``context`` tokens (weights + KV cache + activations,
    :func:`estimate_serving`); then, for each GPU of :data:`SERVING_GPUS` (or
    ``gpus``), whether that fits and the largest batch that does
    (:func:`max_batch`; 0 when not even one sequence fits).

    Example:
        >>> row = serving_table(["Llama-3-8B"], ["T4 16GB", "H100 80GB"])[0]
        >>> row["kv_heads"], format_bytes(row["total"]), row["fits"], row["max_batch"]
        (8, '20.7 GB', {'T4 16GB': False, 'H100 80GB': True}, {'T4 16GB': 0, 'H100 80GB': 118})
    """
    who = "serving_table"
    models = list(SERVED_MODELS) if models is None else list(models)
    gpus = list(SERVING_GPUS) if gpus is None else list(gpus)
    for name in models:
        require_choice(who, "model", name, list(SERVED_MODELS))
    for name in gpus:
        require_choice(who, "gpu", name, list(SERVING_GPUS))
    require_choice(who, "precision", precision, list(PRECISIONS))
    require_int(who, "batch", batch, minimum=1)
    require_int(who, "context", context, minimum=1)
    rows = []
    for name in models:
        shape = SERVED_MODELS[name]
        layers, kv_heads, head_dim, d_model = _shape_numbers(shape, who)
        estimate = estimate_serving(shape, precision, batch, context)
        rows.append(
            {
                "model": name,
                "layers": layers,
                "d_model": d_model,
                "heads": shape["n_head"],
                "kv_heads": kv_heads,
                "parameters": estimate.parameters,
                "weights": estimate.weights,
                "kv_per_token": kv_cache_bytes_per_token(shape, estimate.kv_precision),
                "total": estimate.total,
                "fits": {
                    g: estimate.total <= SERVING_GPUS[g].memory_gb * 1e9 for g in gpus
                },
                "max_batch": {
                    g: max_batch(shape, precision, context, SERVING_GPUS[g])
                    for g in gpus
                },
            }
        )
    return rows


def format_serving_table(
    rows: list[dict], batch: int, context: int, markdown: bool = False
) -> str:
    """The rows of :func:`serving_table` as text: one line per model.

    Each GPU column says whether ``batch`` sequences of ``context`` tokens fit, and
    in brackets the largest batch that fits. ``markdown=True`` gives a Markdown table
    instead of aligned text (``IPython.display.Markdown`` shows it as a table in
    JupyterLab, Colab and the book alike).

    Example:
        >>> rows = serving_table(["SmolLM2-135M"], ["T4 16GB"], batch=1, context=1024)
        >>> print(format_serving_table(rows, 1, 1024, markdown=True).splitlines()[2])
        | SmolLM2-135M | 30 | 576 | 9/3 | 0.13B | 269 MB | 23 kB | 401 MB | yes (656) |
    """
    if not rows:
        raise ValueError("format_serving_table: rows is empty")
    gpus = list(rows[0]["fits"])
    header = ["model", "layers", "d_model", "heads/KV", "params", "weights"]
    header += ["KV/token", f"total B={batch}", *gpus]
    table = [
        [
            r["model"],
            str(r["layers"]),
            str(r["d_model"]),
            f"{r['heads']}/{r['kv_heads']}",
            f"{r['parameters'] / 1e9:.2f}B",
            format_bytes(r["weights"]),
            format_bytes(r["kv_per_token"]),
            format_bytes(r["total"]),
        ]
        + [f"{'yes' if r['fits'][g] else 'no'} ({r['max_batch'][g]})" for g in gpus]
        for r in rows
    ]
    note = (
        f"GPU columns: do {batch} sequences of {context:,} tokens fit? (in brackets: "
        "the largest batch that fits)"
    )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in table]
        return "\n".join(lines + ["", note])
    widths = [13, 7, 8, 9, 8, 9, 10, 11] + [max(13, len(g) + 1) for g in gpus]
    lines = [
        "".join(
            f"{h:<{w}}" if i == 0 else f"{h:>{w}}"
            for i, (h, w) in enumerate(zip(header, widths))
        )
    ]
    lines.append("-" * len(lines[0]))
    for row in table:
        lines.append(
            "".join(
                f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                for i, (c, w) in enumerate(zip(row, widths))
            )
        )
    lines.append(note)
    return "\n".join(lines)
