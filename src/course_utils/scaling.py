"""The arithmetic of "large": parameters, training compute, memory and time of a Transformer.

A Transformer's size follows from a handful of numbers: layers ``L``, width
``d``, heads, the feed-forward width ``d_ff`` and the vocabulary ``V``. Each
block holds the attention projections (about ``4 d^2``) and the MLP (``2 d d_ff``,
or ``3 d d_ff`` for a gated MLP such as SwiGLU); the embeddings add ``V d``.
From the count ``N`` follow the rest:

- training compute: about ``6 N D`` floating-point operations for ``D`` tokens
  (2 for the forward pass, 4 for the backward pass, per parameter and token);
- compute-optimal data: about 20 tokens per parameter (Hoffmann et al., 2022);
- memory: 4, 2, 1 or 0.5 bytes per parameter to serve in fp32, bf16, int8 or
  int4; about 16 bytes per parameter to train with Adam in mixed precision;
- time: FLOPs / (GPUs x peak FLOP/s x utilisation).

Example:
    >>> gpt2 = transformer_parameters(n_layer=12, d_model=768, n_head=12,
    ...                               vocab_size=50257, context=1024)
    >>> gpt2.total
    124439808
    >>> smol = transformer_parameters(30, 576, 9, 49152, kv_heads=3, d_ff=1536,
    ...     mlp="gated", norm="rmsnorm", positions="rotary", bias=False)
    >>> smol.total
    134515008
    >>> f"{training_flops(175e9, 300e9):.2e}"
    '3.15e+23'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

from ._validation import (
    require_choice,
    require_int,
    require_non_negative,
    require_number,
    require_positive,
)

__all__ = [
    "ParameterCount",
    "transformer_parameters",
    "ARCHITECTURES",
    "architecture_parameters",
    "training_flops",
    "compute_optimal_tokens",
    "compute_optimal_split",
    "TOKENS_PER_PARAMETER",
    "BYTES_PER_PARAMETER",
    "ADAM_MIXED_PRECISION_BYTES",
    "weights_memory",
    "training_memory",
    "kv_cache_memory",
    "ZERO_STAGES",
    "zero_memory",
    "activation_memory",
    "ring_all_reduce_bytes",
    "pipeline_bubble",
    "tensor_parallel_traffic",
    "model_states_per_gpu",
    "GPU",
    "GPUS",
    "training_days",
    "gpus_to_hold",
    "ScaleEstimate",
    "estimate_scale",
    "fit_power_law",
    "format_count",
    "format_bytes",
]

MLP_KINDS = ("standard", "gated")
NORMS = ("layernorm", "rmsnorm")
POSITIONS = ("learned", "rotary", "sinusoidal")
KINDS = ("decoder", "encoder")

#: Compute-optimal tokens per parameter, from Hoffmann et al. (2022), "Chinchilla".
TOKENS_PER_PARAMETER = 20.0


@dataclass(frozen=True)
class ParameterCount:
    """Parameters of a Transformer, part by part. ``total`` is their sum.

    ``embeddings`` are the token (and segment) embeddings, ``positions`` the learned
    position table, ``head`` the output projection when it is not tied to the
    embeddings, ``pooler`` BERT's sentence pooler. ``norms`` counts every norm's
    gains (and offsets, for LayerNorm), the embedding and final norms included.
    """

    embeddings: int
    positions: int
    attention: int
    mlp: int
    norms: int
    head: int
    pooler: int

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def non_embedding(self) -> int:
        """Everything except the embedding tables and an untied output head.

        Kaplan et al. (2020) fit their scaling laws to this count.
        """
        return self.total - self.embeddings - self.positions - self.head

    def as_dict(self) -> dict[str, int]:
        """Every part and the total, for a table."""
        parts = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**parts, "total": self.total}


def transformer_parameters(
    n_layer: int,
    d_model: int,
    n_head: int,
    vocab_size: int,
    context: int = 2048,
    *,
    d_ff: int | None = None,
    kv_heads: int | None = None,
    head_dim: int | None = None,
    mlp: str = "standard",
    norm: str = "layernorm",
    positions: str = "learned",
    tied_embeddings: bool = True,
    bias: bool = True,
    head_bias: bool = False,
    kind: str = "decoder",
    type_vocab_size: int = 2,
) -> ParameterCount:
    """Count the parameters of a Transformer from its shape.

    Args:
        n_layer, d_model, n_head: blocks, width, attention heads (query heads).
        vocab_size: tokens in the vocabulary.
        context: longest sequence; matters only for learned positions.
        d_ff: hidden width of the MLP (default ``4 * d_model``).
        kv_heads: key/value heads for grouped-query attention (default ``n_head``;
            1 is multi-query attention). Must divide ``n_head``.
        head_dim: width of one head (default ``d_model // n_head``).
        mlp: ``"standard"`` (two matrices, GELU) or ``"gated"`` (SwiGLU: gate, up, down).
        norm: ``"layernorm"`` (gain and offset) or ``"rmsnorm"`` (gain only).
        positions: ``"learned"`` (a table of ``context x d_model``), ``"rotary"`` or
            ``"sinusoidal"`` (no parameters).
        tied_embeddings: the output head reuses the token embedding matrix.
        bias: biases in the attention and MLP projections.
        head_bias: a bias on the output head (the course's TinyGPT has one).
        kind: ``"decoder"`` (GPT, LLaMA: pre-norm blocks, a final norm, an LM head) or
            ``"encoder"`` (BERT's ``BertModel``: segment embeddings, a norm after the
            embeddings, post-norm blocks, a pooler, no LM head).
        type_vocab_size: segment types of an encoder (BERT: 2).

    Raises:
        TypeError: a size that is not an int.
        ValueError: a size below 1, ``d_model`` not divisible by ``n_head``, ``n_head``
            not divisible by ``kv_heads``, or an unknown option.

    Example:
        >>> bert = transformer_parameters(12, 768, 12, 30522, context=512, kind="encoder")
        >>> bert.total
        109482240
        >>> llama = transformer_parameters(32, 4096, 32, 32000, d_ff=11008, mlp="gated",
        ...     norm="rmsnorm", positions="rotary", bias=False, tied_embeddings=False)
        >>> f"{llama.total:,}"
        '6,738,415,616'
    """
    who = "transformer_parameters"
    for name, value in (
        ("n_layer", n_layer),
        ("d_model", d_model),
        ("n_head", n_head),
        ("vocab_size", vocab_size),
        ("context", context),
    ):
        require_int(who, name, value, minimum=1)
    require_choice(who, "mlp", mlp, MLP_KINDS)
    require_choice(who, "norm", norm, NORMS)
    require_choice(who, "positions", positions, POSITIONS)
    require_choice(who, "kind", kind, KINDS)
    d_ff = 4 * d_model if d_ff is None else require_int(who, "d_ff", d_ff, minimum=1)
    kv_heads = n_head if kv_heads is None else require_int(who, "kv_heads", kv_heads, 1)
    if head_dim is None:
        if d_model % n_head:
            raise ValueError(
                f"{who}: d_model ({d_model}) must be divisible by n_head ({n_head}), "
                f"or give head_dim explicitly"
            )
        head_dim = d_model // n_head
    else:
        require_int(who, "head_dim", head_dim, minimum=1)
    if n_head % kv_heads:
        raise ValueError(
            f"{who}: n_head ({n_head}) must be divisible by kv_heads ({kv_heads}): "
            "each key/value head serves a whole group of query heads"
        )
    if kind == "encoder":
        require_int(who, "type_vocab_size", type_vocab_size, minimum=1)

    b = 1 if bias else 0
    norm_size = 2 * d_model if norm == "layernorm" else d_model
    q_out, kv_out = n_head * head_dim, kv_heads * head_dim
    # Query, key and value projections, then the output projection back to d_model.
    attention = d_model * (q_out + 2 * kv_out) + b * (q_out + 2 * kv_out)
    attention += q_out * d_model + b * d_model
    matrices = 3 if mlp == "gated" else 2
    mlp_count = matrices * d_model * d_ff + b * ((matrices - 1) * d_ff + d_model)

    embeddings = vocab_size * d_model
    position_table = context * d_model if positions == "learned" else 0
    norms = n_layer * 2 * norm_size
    head = pooler = 0
    if kind == "decoder":
        norms += norm_size  # the final norm before the head
        if not tied_embeddings:
            head = vocab_size * d_model
        head += vocab_size if head_bias else 0
    else:
        embeddings += type_vocab_size * d_model
        norms += norm_size  # the norm after the embeddings
        pooler = d_model * d_model + d_model
    return ParameterCount(
        embeddings=embeddings,
        positions=position_table,
        attention=n_layer * attention,
        mlp=n_layer * mlp_count,
        norms=norms,
        head=head,
        pooler=pooler,
    )


#: Published shapes of real models: the keyword arguments of :func:`transformer_parameters`.
ARCHITECTURES: dict[str, dict] = {
    # Radford et al. (2019); the configuration OpenAI released as "gpt2".
    "GPT-2 small": dict(
        n_layer=12, d_model=768, n_head=12, vocab_size=50257, context=1024
    ),
    # Devlin et al. (2019), BERT-base: BertModel with its pooler.
    "BERT-base": dict(
        n_layer=12,
        d_model=768,
        n_head=12,
        vocab_size=30522,
        context=512,
        kind="encoder",
    ),  # fmt: skip
    # Wang et al. (2020): all-MiniLM-L6-v2, the pretrained model of chapter 5.
    "MiniLM-L6": dict(
        n_layer=6,
        d_model=384,
        n_head=12,
        vocab_size=30522,
        context=512,
        kind="encoder",
    ),  # fmt: skip
    # Allal et al. (2025): SmolLM2-135M, the real LLM of the LLM chapter.
    "SmolLM2-135M": dict(
        n_layer=30,
        d_model=576,
        n_head=9,
        kv_heads=3,
        d_ff=1536,
        vocab_size=49152,
        context=8192,
        mlp="gated",
        norm="rmsnorm",
        positions="rotary",
        bias=False,
    ),  # fmt: skip
    # Touvron et al. (2023), LLaMA-7B.
    "LLaMA-7B": dict(
        n_layer=32,
        d_model=4096,
        n_head=32,
        d_ff=11008,
        vocab_size=32000,
        context=2048,
        mlp="gated",
        norm="rmsnorm",
        positions="rotary",
        bias=False,
        tied_embeddings=False,
    ),  # fmt: skip
    # Brown et al. (2020), Table 2.1: GPT-3 175B.
    "GPT-3 175B": dict(
        n_layer=96, d_model=12288, n_head=96, vocab_size=50257, context=2048
    ),
}


def architecture_parameters(name: str) -> ParameterCount:
    """The parameter count of one of :data:`ARCHITECTURES`.

    Example:
        >>> architecture_parameters("BERT-base").total
        109482240
    """
    require_choice("architecture_parameters", "architecture", name, list(ARCHITECTURES))
    return transformer_parameters(**ARCHITECTURES[name])


# ----------------------------------------------------------------------------- compute


def training_flops(n_params: float, n_tokens: float) -> float:
    """Floating-point operations to train ``n_params`` parameters on ``n_tokens`` tokens: 6ND.

    Per parameter and token, the forward pass costs one multiply and one add (2);
    the backward pass twice that (4): gradients for the activations and for the
    weights. The attention over the context adds a little more, ignored here
    (Kaplan et al., 2020, section 2.1).

    Example:
        >>> training_flops(1e9, 20e9)
        1.2e+20
    """
    n = require_non_negative("training_flops", "n_params", n_params)
    d = require_non_negative("training_flops", "n_tokens", n_tokens)
    return 6.0 * n * d


def compute_optimal_tokens(
    n_params: float, tokens_per_parameter: float = TOKENS_PER_PARAMETER
) -> float:
    """Tokens to train ``n_params`` parameters compute-optimally: about 20 per parameter.

    Example:
        >>> compute_optimal_tokens(70e9) / 1e12  # Chinchilla: 70B parameters, 1.4T tokens
        1.4
    """
    n = require_non_negative("compute_optimal_tokens", "n_params", n_params)
    ratio = require_positive(
        "compute_optimal_tokens", "tokens_per_parameter", tokens_per_parameter
    )
    return n * ratio


def compute_optimal_split(
    flops: float, tokens_per_parameter: float = TOKENS_PER_PARAMETER
) -> tuple[float, float]:
    """The model size and data (N, D) that spend ``flops`` with D = 20 N and C = 6 N D.

    Solving ``C = 6 N (r N)`` gives ``N = sqrt(C / (6 r))``: both grow as the square
    root of the compute, as Hoffmann et al. (2022) found.

    Example:
        >>> n, d = compute_optimal_split(5.88e23)
        >>> round(n / 1e9), round(d / 1e12, 1)
        (70, 1.4)
    """
    c = require_non_negative("compute_optimal_split", "flops", flops)
    ratio = require_positive(
        "compute_optimal_split", "tokens_per_parameter", tokens_per_parameter
    )
    n = math.sqrt(c / (6.0 * ratio))
    return n, ratio * n


# ----------------------------------------------------------------------------- memory

#: Bytes to store one parameter in each number format.
BYTES_PER_PARAMETER: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "int8": 1.0,
    "int4": 0.5,
}

#: Training with Adam in mixed precision (Rajbhandari et al., 2020): bf16 weights (2) and
#: gradients (2), plus an fp32 master copy of the weights (4) and Adam's two moments (4 + 4).
ADAM_MIXED_PRECISION_BYTES = 16.0


def weights_memory(n_params: float, precision: str = "bf16") -> float:
    """Bytes to hold the weights in ``precision`` (``fp32``, ``bf16``, ``fp16``, ``int8``, ``int4``).

    Example:
        >>> weights_memory(7e9, "bf16") / 1e9
        14.0
    """
    n = require_non_negative("weights_memory", "n_params", n_params)
    require_choice("weights_memory", "precision", precision, list(BYTES_PER_PARAMETER))
    return n * BYTES_PER_PARAMETER[precision]


def training_memory(
    n_params: float, bytes_per_parameter: float = ADAM_MIXED_PRECISION_BYTES
) -> float:
    """Bytes of weights, gradients and optimizer state to train with Adam (activations excluded).

    Example:
        >>> training_memory(7e9) / 1e9
        112.0
    """
    n = require_non_negative("training_memory", "n_params", n_params)
    per = require_positive(
        "training_memory", "bytes_per_parameter", bytes_per_parameter
    )
    return n * per


def kv_cache_memory(
    n_layer: int,
    kv_heads: int,
    head_dim: int,
    context: int,
    batch: int = 1,
    precision: str = "bf16",
) -> float:
    """Bytes of the KV cache: a key and a value vector per layer, KV head and position.

    Example:
        >>> kv_cache_memory(32, 32, 128, 4096, precision="bf16") / 2**30  # LLaMA-7B, 4k tokens
        2.0
    """
    who = "kv_cache_memory"
    for name, value in (
        ("n_layer", n_layer),
        ("kv_heads", kv_heads),
        ("head_dim", head_dim),
        ("context", context),
        ("batch", batch),
    ):
        require_int(who, name, value, minimum=1)
    require_choice(who, "precision", precision, list(BYTES_PER_PARAMETER))
    numbers = 2 * n_layer * kv_heads * head_dim * context * batch
    return numbers * BYTES_PER_PARAMETER[precision]


# ----------------------------------------------------------------------------- training at scale

#: ZeRO stages (Rajbhandari et al., 2020): which of the model states each GPU keeps only
#: a 1/N_d share of. Stage 0 is plain data parallelism (everything replicated).
ZERO_STAGES = {
    0: "nothing sharded: every GPU holds weights, gradients and optimizer state",
    1: "optimizer state sharded",
    2: "optimizer state and gradients sharded",
    3: "optimizer state, gradients and weights sharded (FSDP)",
}


def zero_memory(
    n_params: float,
    n_gpus: int = 1,
    stage: int = 0,
    weight_bytes: float = 2.0,
    gradient_bytes: float = 2.0,
    optimizer_bytes: float = 12.0,
) -> float:
    """Bytes of model states per GPU under ZeRO stage 0-3 on ``n_gpus`` data-parallel GPUs.

    With Adam in mixed precision each parameter costs 2 bytes of bf16 weights, 2 of
    bf16 gradients and 12 of optimizer state (an fp32 master copy and two fp32
    moments): ``(2 + 2 + 12) N``. Stage 1 divides the 12 by the number of GPUs,
    stage 2 the gradients too, stage 3 everything (Rajbhandari et al., 2020, Figure 1).
    Activations are not included.

    Example:
        >>> [round(zero_memory(7.5e9, 64, stage) / 1e9, 1) for stage in range(4)]
        [120.0, 31.4, 16.6, 1.9]
    """
    who = "zero_memory"
    n = require_non_negative(who, "n_params", n_params)
    require_int(who, "n_gpus", n_gpus, minimum=1)
    require_choice(who, "stage", stage, list(ZERO_STAGES))
    w = require_non_negative(who, "weight_bytes", weight_bytes)
    g = require_non_negative(who, "gradient_bytes", gradient_bytes)
    o = require_non_negative(who, "optimizer_bytes", optimizer_bytes)
    if stage >= 1:
        o /= n_gpus
    if stage >= 2:
        g /= n_gpus
    if stage >= 3:
        w /= n_gpus
    return n * (w + g + o)


def activation_memory(
    n_layer: int,
    d_model: int,
    n_head: int,
    context: int,
    batch: int = 1,
    checkpointing: bool = False,
) -> float:
    """Bytes of activations a 16-bit Transformer keeps for the backward pass.

    Korthikanti et al. (2023) count ``s b h (34 + 5 a s / h)`` bytes per layer for
    sequence length ``s``, batch ``b``, width ``h`` and ``a`` heads (no flash
    attention, no recomputation): the ``5 a s / h`` term is the attention matrix,
    quadratic in ``s``. With activation checkpointing of every layer only the layer
    inputs are kept, ``2 s b h`` bytes per layer, and the rest is recomputed during
    the backward pass (one layer's worth is alive at a time; ignored here).

    Example:
        >>> round(activation_memory(32, 4096, 32, 4096, batch=1) / 2**30, 1)  # LLaMA-7B
        97.0
        >>> round(activation_memory(32, 4096, 32, 4096, checkpointing=True) / 2**30, 1)
        1.0
    """
    who = "activation_memory"
    for name, value in (
        ("n_layer", n_layer),
        ("d_model", d_model),
        ("n_head", n_head),
        ("context", context),
        ("batch", batch),
    ):
        require_int(who, name, value, minimum=1)
    s, b, h, a = context, batch, d_model, n_head
    if checkpointing:
        return float(n_layer * 2 * s * b * h)
    return float(n_layer * s * b * h * (34 + 5 * a * s / h))


def ring_all_reduce_bytes(n_bytes: float, n_ranks: int) -> float:
    """Bytes each rank sends in a ring all-reduce of ``n_bytes``: ``2 (n - 1) / n`` times the data.

    A reduce-scatter (``n - 1`` steps of one ``1/n`` chunk) then an all-gather (as
    many again): almost twice the data per rank, whatever the number of ranks
    (Patarasuk and Yuan, 2009).

    Example:
        >>> ring_all_reduce_bytes(1e9, 2) / 1e9, ring_all_reduce_bytes(1e9, 8) / 1e9
        (1.0, 1.75)
    """
    size = require_non_negative("ring_all_reduce_bytes", "n_bytes", n_bytes)
    require_int("ring_all_reduce_bytes", "n_ranks", n_ranks, minimum=1)
    return 2 * (n_ranks - 1) / n_ranks * size


def pipeline_bubble(stages: int, microbatches: int) -> float:
    """Share of time a GPipe pipeline's GPUs sit idle: ``(p - 1) / (m + p - 1)``.

    With ``p`` stages the first micro-batch needs ``p - 1`` steps to reach the last
    stage, and the last one leaves the first stage as many steps before the end
    (Huang et al., 2019).

    Example:
        >>> pipeline_bubble(8, 1), round(pipeline_bubble(8, 32), 3)
        (0.875, 0.179)
    """
    require_int("pipeline_bubble", "stages", stages, minimum=1)
    require_int("pipeline_bubble", "microbatches", microbatches, minimum=1)
    return (stages - 1) / (microbatches + stages - 1)


def tensor_parallel_traffic(
    tokens: int, d_model: int, n_layer: int, tensor: int, precision: str = "bf16"
) -> float:
    """Bytes each GPU sends per training step for Megatron-style tensor parallelism.

    Each layer all-reduces its ``tokens x d_model`` activations twice in the forward
    pass (after attention and after the MLP) and twice in the backward pass
    (Shoeybi et al., 2019): 4 ring all-reduces per layer among ``tensor`` GPUs.

    Example:
        >>> round(tensor_parallel_traffic(4096, 4096, 32, 8) / 1e9, 1)  # 7B, 4k tokens
        7.5
    """
    who = "tensor_parallel_traffic"
    for name, value in (
        ("tokens", tokens),
        ("d_model", d_model),
        ("n_layer", n_layer),
        ("tensor", tensor),
    ):
        require_int(who, name, value, minimum=1)
    require_choice(who, "precision", precision, list(BYTES_PER_PARAMETER))
    size = tokens * d_model * BYTES_PER_PARAMETER[precision]
    return 4 * n_layer * ring_all_reduce_bytes(size, tensor)


def model_states_per_gpu(
    n_params: float,
    tensor: int = 1,
    pipeline: int = 1,
    data: int = 1,
    zero_stage: int = 0,
) -> float:
    """Bytes of weights, gradients and Adam state per GPU with 3-D parallelism.

    Tensor parallelism splits every weight matrix ``tensor`` ways, pipeline
    parallelism gives each of ``pipeline`` GPUs a slice of the layers: each GPU
    holds ``N / (tensor x pipeline)`` parameters, whose states ZeRO then shards
    across the ``data`` replicas (:func:`zero_memory`). Embeddings and uneven
    splits are ignored.

    Example:
        >>> round(model_states_per_gpu(70e9, tensor=8) / 1e9)  # 70B on one 8-GPU node
        140
    """
    who = "model_states_per_gpu"
    for name, value in (("tensor", tensor), ("pipeline", pipeline), ("data", data)):
        require_int(who, name, value, minimum=1)
    n = require_non_negative(who, "n_params", n_params)
    return zero_memory(n / (tensor * pipeline), data, zero_stage)


# ----------------------------------------------------------------------------- hardware


@dataclass(frozen=True)
class GPU:
    """An accelerator: its published dense peak (tensor cores, no sparsity), memory and
    memory bandwidth (what bounds the speed of generating text, one token at a time)."""

    name: str
    peak_tflops: float
    precision: str
    memory_gb: float
    key: str
    bandwidth_gbs: float = 0.0  # memory bandwidth, GB/s

    @property
    def peak_flops(self) -> float:
        return self.peak_tflops * 1e12

    @property
    def bandwidth(self) -> float:
        """Memory bandwidth in bytes per second."""
        return self.bandwidth_gbs * 1e9


#: Published dense peaks (bf16 where the chip has it; fp16 for V100 and T4, which lack bf16)
#: and memory bandwidths, from the same datasheets.
GPUS: dict[str, GPU] = {
    gpu.name: gpu
    for gpu in (
        GPU("V100 SXM2", 125.0, "fp16", 32, "nvidia2017v100", 900),
        GPU("T4", 65.0, "fp16", 16, "nvidia2018t4", 320),
        GPU("A100 SXM", 312.0, "bf16", 80, "nvidia2020a100", 2039),
        GPU("L4", 121.0, "bf16", 24, "nvidia2023l4", 300),
        GPU("H100 SXM", 989.0, "bf16", 80, "nvidia2022h100", 3350),
        GPU("H200 SXM", 989.0, "bf16", 141, "nvidia2024h200", 4800),
        GPU("TPU v4", 275.0, "bf16", 32, "jouppi2023tpu", 1200),
    )
}


def _gpu(who: str, gpu: str | GPU) -> GPU:
    if isinstance(gpu, GPU):
        return gpu
    require_choice(who, "gpu", gpu, list(GPUS))
    return GPUS[gpu]


def training_days(
    flops: float,
    gpu: str | GPU = "H100 SXM",
    n_gpus: int = 1,
    utilization: float = 0.4,
) -> float:
    """Days to perform ``flops`` on ``n_gpus`` chips running at ``utilization`` of their peak.

    ``utilization`` is the model FLOPs utilisation (MFU): the share of the peak that
    does useful work. Well-tuned large runs reach 0.4 to 0.5 (Chowdhery et al., 2023).

    Example:
        >>> round(training_days(3.14e23, "V100 SXM2", n_gpus=1024, utilization=0.3), 1)
        94.6
    """
    who = "training_days"
    c = require_non_negative(who, "flops", flops)
    chip = _gpu(who, gpu)
    require_int(who, "n_gpus", n_gpus, minimum=1)
    u = require_number(who, "utilization", utilization)
    if not 0 < u <= 1:
        raise ValueError(f"{who}: utilization must be in (0, 1], got {utilization!r}")
    return c / (n_gpus * chip.peak_flops * u) / 86400.0


def gpus_to_hold(n_bytes: float, gpu: str | GPU = "H100 SXM") -> int:
    """The fewest chips whose memory together holds ``n_bytes`` (nothing else counted).

    Example:
        >>> gpus_to_hold(training_memory(7e9), "A100 SXM")
        2
    """
    size = require_non_negative("gpus_to_hold", "n_bytes", n_bytes)
    chip = _gpu("gpus_to_hold", gpu)
    return max(1, math.ceil(size / (chip.memory_gb * 1e9)))


# ----------------------------------------------------------------------------- everything at once


@dataclass(frozen=True)
class ScaleEstimate:
    """What a model of a given shape costs: the explorer's and the book table's numbers."""

    parameters: ParameterCount
    tokens: float
    precision: str
    gpu: GPU
    n_gpus: int
    utilization: float
    serve_bytes: float
    kv_cache_bytes: float
    train_bytes: float
    flops: float
    days: float

    @property
    def tokens_per_parameter(self) -> float:
        return self.tokens / self.parameters.total

    @property
    def gpus_to_serve(self) -> int:
        return gpus_to_hold(self.serve_bytes + self.kv_cache_bytes, self.gpu)

    @property
    def gpus_to_train(self) -> int:
        return gpus_to_hold(self.train_bytes, self.gpu)


def estimate_scale(
    shape: dict,
    tokens: float | None = None,
    precision: str = "bf16",
    gpu: str | GPU = "H100 SXM",
    n_gpus: int = 1,
    utilization: float = 0.4,
) -> ScaleEstimate:
    """Parameters, memory to serve and to train, training FLOPs and days for one shape.

    Args:
        shape: keyword arguments of :func:`transformer_parameters`.
        tokens: training tokens (default: compute-optimal, 20 per parameter).
        precision: number format of the served weights and KV cache.
        gpu, n_gpus, utilization: the hardware that trains it.

    The serving estimate holds the weights plus a KV cache for one sequence of the
    full context.

    Example:
        >>> e = estimate_scale(ARCHITECTURES["GPT-3 175B"], tokens=300e9, gpu="V100 SXM2")
        >>> f"{e.flops:.2e}", e.gpus_to_train
        ('3.14e+23', 88)
    """
    if not isinstance(shape, dict):
        raise TypeError(
            f"estimate_scale: shape must be a dict of transformer_parameters "
            f"arguments, got {type(shape).__name__}"
        )
    count = transformer_parameters(**shape)
    n = count.total
    if tokens is None:
        tokens = compute_optimal_tokens(n)
    tokens = require_non_negative("estimate_scale", "tokens", tokens)
    chip = _gpu("estimate_scale", gpu)
    flops = training_flops(n, tokens)
    n_head = shape["n_head"]
    head_dim = shape.get("head_dim") or shape["d_model"] // n_head
    kv = kv_cache_memory(
        shape["n_layer"],
        shape.get("kv_heads") or n_head,
        head_dim,
        shape.get("context", 2048),
        precision=precision,
    )
    return ScaleEstimate(
        parameters=count,
        tokens=tokens,
        precision=precision,
        gpu=chip,
        n_gpus=n_gpus,
        utilization=utilization,
        serve_bytes=weights_memory(n, precision),
        kv_cache_bytes=kv,
        train_bytes=training_memory(n),
        flops=flops,
        days=training_days(flops, chip, n_gpus, utilization),
    )


# ----------------------------------------------------------------------------- fits and formatting


def fit_power_law(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares fit of ``y = a * x ** (-alpha)`` on log-log axes; returns ``(a, alpha)``.

    A straight line on log-log axes, ``log y = log a - alpha log x``, is a power law.

    Example:
        >>> a, alpha = fit_power_law([1, 10, 100], [2.0, 1.0, 0.5])
        >>> round(a, 3), round(alpha, 3)
        (2.0, 0.301)
    """
    who = "fit_power_law"
    try:
        xs, ys = [float(v) for v in x], [float(v) for v in y]
    except (TypeError, ValueError) as error:
        raise TypeError(f"{who}: x and y must be sequences of numbers") from error
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError(
            f"{who}: x and y need the same length, at least 2, got {len(xs)} and {len(ys)}"
        )
    if min(xs) <= 0 or min(ys) <= 0:
        raise ValueError(f"{who}: a power law needs positive x and y")
    lx, ly = [math.log(v) for v in xs], [math.log(v) for v in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((v - mx) ** 2 for v in lx)
    if sxx == 0:
        raise ValueError(f"{who}: x must take at least two different values")
    slope = sum((u - mx) * (v - my) for u, v in zip(lx, ly)) / sxx
    return math.exp(my - slope * mx), -slope


def _trim(value: float) -> str:
    """Three significant figures (one decimal from 10 up), trailing zeros dropped."""
    text = f"{value:.{1 if value >= 10 else 2}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_count(n: float) -> str:
    """A count in words a reader scans: ``'124.4M'``, ``'6.74B'``, ``'175B'``.

    Example:
        >>> format_count(124_439_808), format_count(6.738e9), format_count(175e9), format_count(950)
        ('124.4M', '6.74B', '175B', '950')
    """
    value = require_non_negative("format_count", "n", n)
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            scaled = value / size
            return _trim(scaled) + unit
    return f"{value:.0f}"


def format_bytes(n_bytes: float) -> str:
    """Bytes in decimal units: ``'14 GB'``, ``'1.2 TB'``, ``'512 MB'``.

    Example:
        >>> format_bytes(14e9), format_bytes(1.2e12), format_bytes(5.12e8)
        ('14 GB', '1.2 TB', '512 MB')
    """
    value = require_non_negative("format_bytes", "n_bytes", n_bytes)
    for unit, size in (
        ("PB", 1e15),
        ("TB", 1e12),
        ("GB", 1e9),
        ("MB", 1e6),
        ("kB", 1e3),
    ):
        if value >= size:
            scaled = value / size
            return f"{_trim(scaled)} {unit}"
    return f"{value:.0f} B"
