"""LoRA from scratch: the formula, merge and unmerge, and the same outputs as ``peft``."""

from __future__ import annotations

import copy
import itertools

import pytest
import torch

from course_utils.models import Llama
from course_utils.models._offline import import_peft, import_transformers
from course_utils.nn import (
    LoRALinear,
    apply_lora,
    count_parameters,
    merge_lora,
    unmerge_lora,
)
from course_utils.nn.lora import copy_lora_to_peft, lora_layers

transformers = import_transformers("The LoRA tests")
peft = import_peft("The LoRA tests")
# peft 0.21 calls a transformers 5.23 method that warns about its own deprecation
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*is_gradient_checkpointing:FutureWarning"
)


def _randomize(layer: LoRALinear, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        layer.lora_B.copy_(torch.randn(layer.lora_B.shape, generator=generator))


@pytest.mark.parametrize(
    "d_in, d_out, r, alpha, bias",
    list(
        itertools.product([4, 16], [3, 12], [1, 2, 3], [None, 1.0, 16.0], [True, False])
    ),
)
def test_forward_merge_unmerge(d_in, d_out, r, alpha, bias):
    torch.manual_seed(d_in * d_out + r)
    base = torch.nn.Linear(d_in, d_out, bias=bias)
    original = base.weight.detach().clone()
    layer = LoRALinear(base, r, alpha)
    x = torch.randn(5, 2, d_in)
    torch.testing.assert_close(layer(x), base(x))  # B starts at zero
    _randomize(layer, r)
    scale = (alpha if alpha is not None else r) / r
    expected = (
        x @ original.T
        + (base.bias if bias else 0)
        + scale * (x @ layer.lora_A.T @ layer.lora_B.T)
    )
    torch.testing.assert_close(layer(x), expected)
    unmerged = layer(x)
    layer.merge()
    torch.testing.assert_close(layer(x), unmerged, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(base.weight, original + layer.delta_weight())
    layer.unmerge()
    torch.testing.assert_close(base.weight, original, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(layer(x), unmerged)


def test_only_the_low_rank_matrices_train():
    base = torch.nn.Linear(8, 6)
    layer = LoRALinear(base, 2, 4.0)
    _randomize(layer, 0)
    layer(torch.randn(3, 8)).sum().backward()
    assert base.weight.grad is None and base.bias.grad is None
    assert layer.lora_A.grad is not None and layer.lora_B.grad is not None
    assert count_parameters(layer) == (2 * (8 + 6), 8 * 6 + 6 + 2 * (8 + 6))


def test_dropout_only_in_training_mode():
    layer = LoRALinear(torch.nn.Linear(16, 16), 4, dropout=0.5)
    _randomize(layer, 1)
    x = torch.randn(4, 16)
    layer.train()
    assert not torch.allclose(layer(x), layer(x))
    layer.eval()
    assert torch.equal(layer(x), layer(x))


def _small_llama(seed: int):
    torch.manual_seed(seed)
    config = transformers.LlamaConfig(
        vocab_size=61,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=32,
    )
    return transformers.LlamaForCausalLM(config).eval()


@pytest.mark.parametrize(
    "targets, r, alpha",
    [
        (("q_proj", "v_proj"), 2, 4.0),
        (("q_proj", "k_proj", "v_proj", "o_proj"), 4, 8.0),
        (("gate_proj", "up_proj", "down_proj"), 3, 3.0),
        (("q_proj",), 8, 32.0),
    ],
)
def test_equals_peft_after_copying_the_weights(targets, r, alpha):
    reference = _small_llama(r)
    ours = copy.deepcopy(reference)
    wrapped = apply_lora(ours, targets, r=r, alpha=alpha)
    assert len(wrapped) == 2 * len(targets)
    for index, layer in enumerate(lora_layers(ours)):
        _randomize(layer, index)
    theirs = peft.get_peft_model(
        reference,
        peft.LoraConfig(
            r=r, lora_alpha=alpha, target_modules=list(targets), lora_dropout=0.0
        ),
    )
    assert copy_lora_to_peft(ours, theirs) == len(wrapped)
    trainable, total = count_parameters(ours)
    assert (trainable, total) == tuple(theirs.get_nb_trainable_parameters())
    ids = torch.randint(0, 61, (2, 9))
    with torch.no_grad():
        expected = theirs(ids).logits
        torch.testing.assert_close(ours(ids).logits, expected, atol=1e-5, rtol=1e-5)
        merge_lora(ours)  # merged: the same model, as fast as the original
        torch.testing.assert_close(ours(ids).logits, expected, atol=1e-5, rtol=1e-5)
        if "q_proj" in targets:  # the from-scratch Llama runs the merged weights too
            torch.testing.assert_close(
                Llama.from_transformers(ours)(ids), expected, atol=1e-5, rtol=1e-5
            )
        unmerge_lora(ours)
        with pytest.raises(ValueError, match="are not merged"):
            Llama.from_transformers(ours)
        torch.testing.assert_close(ours(ids).logits, expected, atol=1e-5, rtol=1e-5)


def test_bad_input():
    with pytest.raises(ValueError, match="rank r=5 is larger than the layer allows"):
        LoRALinear(torch.nn.Linear(8, 4), r=5)
    with pytest.raises(ValueError, match="r must be >= 1"):
        LoRALinear(torch.nn.Linear(8, 4), r=0)
    with pytest.raises(TypeError, match="must be an nn.Linear"):
        LoRALinear(torch.nn.Conv2d(3, 3, 3), r=1)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        LoRALinear(torch.nn.Linear(8, 4), r=2, alpha=0)
    with pytest.raises(ValueError, match="dropout must be in"):
        LoRALinear(torch.nn.Linear(8, 4), r=2, dropout=1.0)
    layer = LoRALinear(torch.nn.Linear(8, 4), r=2)
    with pytest.raises(RuntimeError, match="not merged"):
        layer.unmerge()
    layer.merge()
    with pytest.raises(RuntimeError, match="already merged"):
        layer.merge()
    with pytest.raises(ValueError, match="no nn.Linear named"):
        apply_lora(_small_llama(0), ["attention"])
    model = _small_llama(0)
    apply_lora(model, ["q_proj"], r=2, alpha=4.0)
    other = peft.get_peft_model(
        _small_llama(0), peft.LoraConfig(r=2, lora_alpha=2.0, target_modules=["q_proj"])
    )
    with pytest.raises(ValueError, match="alpha/r = 2 but the peft layer has 1"):
        copy_lora_to_peft(model, other)
