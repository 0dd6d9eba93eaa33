"""A Llama-style decoder written from scratch, that runs SmolLM2's real weights.

Llama (Touvron et al., 2023) and the models built like it (SmolLM2, Mistral,
Qwen...) are the GPT decoder of the attention chapter with four changes, each
one a function of :mod:`course_utils.nn.functional`:

- **RMSNorm** instead of layer normalization (:class:`~course_utils.nn.RMSNorm`);
- **rotary position embeddings** instead of learned position vectors: queries and
  keys are rotated by an angle that grows with the position
  (:func:`~course_utils.nn.functional.apply_rotary_emb`);
- **grouped-query attention**: fewer key/value heads than query heads, each shared
  by a group of query heads (``scaled_dot_product_attention(..., enable_gqa=True)``),
  which shrinks the KV cache;
- a **SwiGLU** feed-forward block (:func:`~course_utils.nn.functional.swiglu`).

The modules carry the parameter names of ``transformers``' ``LlamaForCausalLM``,
so its ``state_dict`` loads directly, and the logits agree with it (the unit
tests and the LLM notebook check this). :class:`LlamaKVCache` keeps the keys and
values of past positions for fast generation
(:func:`course_utils.models.generation.generate`).

Example:
    >>> import torch
    >>> config = LlamaSettings(vocab_size=50, hidden_size=32, intermediate_size=64,
    ...     num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
    >>> model = Llama(config)
    >>> model(torch.tensor([[1, 2, 3]])).shape
    torch.Size([1, 3, 50])
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch
from torch import nn

from .._validation import require_int, require_tensor
from ..nn import functional as CF
from ..nn.normalization import RMSNorm

__all__ = ["LlamaSettings", "LlamaKVCache", "Llama"]


@dataclass(frozen=True)
class LlamaSettings:
    """The sizes of a Llama-style model (the fields of ``transformers.LlamaConfig``).

    ``head_dim`` defaults to ``hidden_size // num_attention_heads``.
    """

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int | None = None
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    max_position_embeddings: int = 2048
    tie_word_embeddings: bool = True

    def __post_init__(self) -> None:
        who = "LlamaSettings"
        for name in (
            "vocab_size",
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "max_position_embeddings",
        ):
            require_int(who, name, getattr(self, name), minimum=1)
        if self.head_dim is None:
            if self.hidden_size % self.num_attention_heads:
                raise ValueError(
                    f"{who}: hidden_size {self.hidden_size} is not a multiple of "
                    f"num_attention_heads {self.num_attention_heads}; give head_dim"
                )
            object.__setattr__(
                self, "head_dim", self.hidden_size // self.num_attention_heads
            )
        if self.num_attention_heads % self.num_key_value_heads:
            raise ValueError(
                f"{who}: num_attention_heads {self.num_attention_heads} must be a multiple "
                f"of num_key_value_heads {self.num_key_value_heads} (each key/value head "
                "serves a group of query heads)"
            )

    @classmethod
    def from_config(cls, config) -> LlamaSettings:
        """The settings of a ``transformers`` ``LlamaConfig`` (or any object with those fields)."""
        values = {}
        for field in fields(cls):
            if field.name == "rope_theta":
                rope = getattr(config, "rope_parameters", None) or {}
                theta = rope.get("rope_theta", getattr(config, "rope_theta", None))
                if theta is not None:
                    values["rope_theta"] = float(theta)
            elif (
                hasattr(config, field.name) and getattr(config, field.name) is not None
            ):
                values[field.name] = getattr(config, field.name)
        return cls(**values)

    def kv_cache_bytes_per_token(self, bytes_per_number: int = 4) -> int:
        """Keys and values of one position, every layer: 2 x layers x kv heads x head_dim numbers.

        Example:
            >>> LlamaSettings(100, 576, 1536, 30, 9, 3, 64).kv_cache_bytes_per_token()
            46080
        """
        return (
            2
            * self.num_hidden_layers
            * self.num_key_value_heads
            * self.head_dim
            * bytes_per_number
        )


class LlamaKVCache:
    """The keys and values of every layer for the positions seen so far.

    Each layer holds tensors of shape (batch, key/value heads, positions, head_dim).

    Example:
        >>> cache = LlamaKVCache(2)
        >>> cache.length, cache.nbytes()
        (0, 0)
    """

    def __init__(self, layers: int) -> None:
        require_int("LlamaKVCache", "layers", layers, minimum=1)
        self.keys: list[torch.Tensor | None] = [None] * layers
        self.values: list[torch.Tensor | None] = [None] * layers

    @property
    def length(self) -> int:
        """How many positions the cache holds."""
        return 0 if self.keys[-1] is None else self.keys[-1].shape[-2]

    def update(self, layer: int, key: torch.Tensor, value: torch.Tensor):
        """Append new keys and values to ``layer``; return all of them."""
        if self.keys[layer] is not None:
            key = torch.cat([self.keys[layer], key], dim=-2)
            value = torch.cat([self.values[layer], value], dim=-2)
        self.keys[layer], self.values[layer] = key, value
        return key, value

    def crop(self, length: int) -> None:
        """Forget every position from ``length`` on (to undo tokens)."""
        require_int("LlamaKVCache.crop", "length", length, minimum=0)
        if length > self.length:
            raise ValueError(
                f"LlamaKVCache.crop: the cache holds {self.length} positions, not {length}"
            )
        if length == 0:
            self.keys = [None] * len(self.keys)
            self.values = [None] * len(self.values)
            return
        self.keys = [k[..., :length, :] for k in self.keys]
        self.values = [v[..., :length, :] for v in self.values]

    def nbytes(self) -> int:
        """Memory held by the cached tensors, in bytes."""
        return sum(
            t.numel() * t.element_size()
            for t in (*self.keys, *self.values)
            if t is not None
        )


class LlamaAttention(nn.Module):
    """Causal self-attention with rotary positions and grouped key/value heads."""

    def __init__(self, config: LlamaSettings, layer_index: int) -> None:
        super().__init__()
        self.layer_index = layer_index
        self.heads, self.kv_heads = (
            config.num_attention_heads,
            config.num_key_value_heads,
        )
        self.head_dim = config.head_dim
        d = config.hidden_size
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)

    def forward(self, x, cos, sin, cache: LlamaKVCache | None = None):
        n, t, _ = x.shape
        q = self.q_proj(x).view(n, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(n, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(n, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = CF.apply_rotary_emb(q, cos, sin), CF.apply_rotary_emb(k, cos, sin)
        if cache is not None:
            k, v = cache.update(self.layer_index, k, v)
        s = k.shape[-2]
        # New query i sits at position s - t + i and may see keys 0 .. s - t + i.
        mask = (
            None
            if t == 1
            else torch.ones(t, s, dtype=torch.bool, device=x.device).tril(s - t)
        )
        out = CF.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
        return self.o_proj(
            out.transpose(1, 2).reshape(n, t, self.heads * self.head_dim)
        )


class LlamaMLP(nn.Module):
    """The SwiGLU feed-forward block: ``down(silu(gate(x)) * up(x))``."""

    def __init__(self, config: LlamaSettings) -> None:
        super().__init__()
        d, hidden = config.hidden_size, config.intermediate_size
        self.gate_proj = nn.Linear(d, hidden, bias=False)
        self.up_proj = nn.Linear(d, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, d, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if type(self.gate_proj) is nn.Linear and type(self.up_proj) is nn.Linear:
            return CF.swiglu(
                x, self.gate_proj.weight, self.up_proj.weight, self.down_proj.weight
            )
        # wrapped layers (LoRA, quantized...): call them as modules
        return self.down_proj(CF.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    """Pre-norm block: ``x + attention(norm(x))``, then ``x + mlp(norm(x))``."""

    def __init__(self, config: LlamaSettings, layer_index: int) -> None:
        super().__init__()
        self.self_attn = LlamaAttention(config, layer_index)
        self.mlp = LlamaMLP(config)
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, x, cos, sin, cache=None):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    """Token embedding, the decoder layers and the final norm (no language-model head)."""

    def __init__(self, config: LlamaSettings) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(
            LlamaDecoderLayer(config, i) for i in range(config.num_hidden_layers)
        )
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)


class Llama(nn.Module):
    """A Llama-style causal language model; ``transformers``' parameter names.

    Args:
        config: the sizes (:class:`LlamaSettings`).

    ``forward(input_ids, cache=None)`` returns logits (N, T, vocab). With a cache,
    ``input_ids`` continue the text the cache holds, at positions ``cache.length``,
    ``cache.length + 1``, ...
    """

    def __init__(self, config: LlamaSettings) -> None:
        super().__init__()
        if not isinstance(config, LlamaSettings):
            raise TypeError(
                f"Llama: config must be LlamaSettings (use LlamaSettings.from_config for a "
                f"transformers config), got {type(config).__name__}"
            )
        self.config = config
        self.model = LlamaModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    @classmethod
    def from_transformers(cls, hf_model: nn.Module) -> Llama:
        """A from-scratch copy of a ``transformers`` ``LlamaForCausalLM`` that shares its weights.

        The tensors are shared, not copied: changing the weights of one (say, merging
        a LoRA update) changes the other.
        """
        config = LlamaSettings.from_config(hf_model.config)
        with torch.device("meta"):  # no memory for weights that are replaced at once
            model = cls(config)
        unmerged = [
            name
            for name, module in hf_model.named_modules()
            if hasattr(module, "lora_A") and not getattr(module, "merged", False)
        ]
        if unmerged:
            raise ValueError(
                f"Llama.from_transformers: {len(unmerged)} LoRA layers (such as {unmerged[0]}) "
                "are not merged; merge them first (course_utils.nn.merge_lora)"
            )
        state = {  # a merged LoRA layer keeps its updated weight in base_layer
            key.replace(".base_layer.", "."): value
            for key, value in hf_model.state_dict().items()
            if ".lora_" not in key
        }
        if config.tie_word_embeddings:
            state = {k: v for k, v in state.items() if k != "lm_head.weight"}
        model.load_state_dict(state, strict=False, assign=True)
        if config.tie_word_embeddings:
            model.lm_head.weight = model.model.embed_tokens.weight
        missing = [name for name, p in model.named_parameters() if p.is_meta]
        if missing:
            raise ValueError(
                f"Llama.from_transformers: no weights for {missing[:3]}..."
            )
        return model.eval()

    def new_cache(self) -> LlamaKVCache:
        """An empty KV cache for this model."""
        return LlamaKVCache(self.config.num_hidden_layers)

    def forward(
        self, input_ids: torch.Tensor, cache: LlamaKVCache | None = None
    ) -> torch.Tensor:
        require_tensor(input_ids, "Llama", "input_ids")
        if input_ids.dim() != 2 or input_ids.dtype != torch.long:
            raise ValueError(
                "Llama expects input_ids of shape (batch, tokens) and dtype long, got "
                f"{tuple(input_ids.shape)} {input_ids.dtype}"
            )
        start = 0 if cache is None else cache.length
        end = start + input_ids.shape[1]
        if end > self.config.max_position_embeddings:
            raise ValueError(
                f"Llama: {end} positions ({start} cached + {input_ids.shape[1]} new) exceed "
                f"the context of {self.config.max_position_embeddings} tokens"
            )
        positions = torch.arange(start, end, device=input_ids.device)
        x = self.model.embed_tokens(input_ids)
        cos, sin = CF.rotary_cos_sin(
            positions, self.config.head_dim, self.config.rope_theta, dtype=x.dtype
        )
        for layer in self.model.layers:
            x = layer(x, cos, sin, cache)
        return self.lm_head(self.model.norm(x))
