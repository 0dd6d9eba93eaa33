"""The decoder block against ``nn.TransformerDecoderLayer``, and the sequence-to-sequence models."""

import random

import pytest
import torch
from torch import nn

from course_utils.data import CharVocab, date_vocabularies, encode_pairs, split_dates
from course_utils.models import DateTranslator, GRUSeq2Seq, TransformerTranslator
from course_utils.nn import TransformerDecoderLayer


def _pair(d, heads, ff, norm_first, activation, dropout=0.0):
    ours = TransformerDecoderLayer(
        d, heads, ff, dropout=dropout, activation=activation, norm_first=norm_first
    )
    theirs = nn.TransformerDecoderLayer(
        d,
        heads,
        ff,
        dropout=dropout,
        activation=activation,
        norm_first=norm_first,
        batch_first=True,
    )
    theirs.load_state_dict(ours.state_dict())  # same names: every key must match
    return ours, theirs


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("seed", range(40))
def test_decoder_layer_matches_torch_on_random_shapes_and_masks(seed):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    heads = rng.choice([1, 2, 4])
    d = heads * rng.randint(1, 6)
    n, t, s = rng.randint(1, 4), rng.randint(1, 7), rng.randint(1, 9)
    ours, theirs = _pair(
        d, heads, rng.randint(1, 24), seed % 2 == 1, rng.choice(["relu", "gelu"])
    )
    ours, theirs = ours.double().eval(), theirs.double().eval()
    tgt = torch.randn(n, t, d, dtype=torch.float64)
    memory = torch.randn(n, s, d, dtype=torch.float64)
    kwargs = {}
    kind = seed % 4
    if kind >= 1:  # a causal mask over the target, boolean (True = blocked) or float
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)
        kwargs["tgt_mask"] = (
            causal
            if kind == 1
            else nn.Transformer.generate_square_subsequent_mask(t, dtype=torch.float64)
        )
    if kind >= 2:  # padding of the source, never all of it
        lengths = torch.randint(1, s + 1, (n,))
        kwargs["memory_key_padding_mask"] = torch.arange(s) >= lengths[:, None]
    if kind == 3:  # padding of the target at the end (the first token always real)
        lengths = torch.randint(1, t + 1, (n,))
        kwargs["tgt_key_padding_mask"] = torch.arange(t) >= lengths[:, None]
        kwargs["memory_mask"] = torch.randn(t, s, dtype=torch.float64)
    torch.testing.assert_close(
        ours(tgt, memory, **kwargs), theirs(tgt, memory, **kwargs)
    )


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_gradients_match_torch_in_training_mode(norm_first):
    torch.manual_seed(1)
    ours, theirs = _pair(16, 4, 32, norm_first, "relu")
    tgt = torch.randn(2, 5, 16, requires_grad=True)
    memory = torch.randn(2, 7, 16, requires_grad=True)
    causal = torch.ones(5, 5, dtype=torch.bool).triu(1)
    grads = []
    for layer in (ours, theirs):
        out = layer.train()(tgt, memory, tgt_mask=causal)
        grads.append(torch.autograd.grad(out.square().sum(), (tgt, memory)))
    for g_ours, g_theirs in zip(*grads):
        torch.testing.assert_close(g_ours, g_theirs, atol=1e-5, rtol=1e-4)


def test_decoder_layer_is_causal_and_keeps_its_weights():
    torch.manual_seed(2)
    layer = TransformerDecoderLayer(8, 2, 16, dropout=0.0).eval()
    tgt, memory = torch.randn(1, 6, 8), torch.randn(1, 4, 8)
    out = layer(tgt, memory, tgt_is_causal=True)  # builds the causal mask itself
    changed = tgt.clone()
    changed[0, 4:] += 1.0  # change the future of position 3
    torch.testing.assert_close(
        layer(changed, memory, tgt_is_causal=True)[0, :4], out[0, :4]
    )
    assert layer.self_attention_weights.shape == (1, 2, 6, 6)
    assert layer.cross_attention_weights.shape == (1, 2, 6, 4)
    assert torch.all(layer.self_attention_weights.triu(1) == 0)


def test_decoder_layer_rejects_bad_input():
    layer = TransformerDecoderLayer(8, 2, 16)
    with pytest.raises(ValueError, match="activation must be one of relu, gelu"):
        TransformerDecoderLayer(8, 2, activation="tanh")
    with pytest.raises(TypeError, match="memory must be a tensor, got list"):
        layer(torch.randn(1, 3, 8), [1, 2])
    with pytest.raises(
        ValueError, match=r"same N, got tgt \(2, 3, 8\) and memory \(1, 4, 8\)"
    ):
        layer(torch.randn(2, 3, 8), torch.randn(1, 4, 8))
    with pytest.raises(ValueError, match="embed_dim"):
        TransformerDecoderLayer(10, 4)


# ----------------------------------------------------------------------------- models


def test_gru_seq2seq_states_do_not_depend_on_padding():
    """Packed sequences: extra padding changes nothing (it did with an unpacked BiGRU)."""
    torch.manual_seed(0)
    source_vocab, target_vocab = date_vocabularies()
    model = DateTranslator(len(source_vocab), len(target_vocab), 16, 24).eval()
    text = "1 Apr 2038"
    short = source_vocab.encode(text, length=12)[None]
    long = source_vocab.encode(text, length=40)[None]
    ids_short, align_short = model.translate(short)
    ids_long, align_long = model.translate(long)
    assert torch.equal(ids_short, ids_long)
    torch.testing.assert_close(align_long[..., :12], align_short)
    assert torch.all(align_long[..., len(text) :] == 0)
    states_short = model.encode(short)[0][0, : len(text)]
    states_long = model.encode(long)[0][0, : len(text)]
    torch.testing.assert_close(states_short, states_long)


def test_gru_seq2seq_without_attention_has_no_alignment():
    torch.manual_seed(0)
    plain = GRUSeq2Seq(13, 13, embed_dim=8, hidden_size=8, attention=False)
    with_attention = GRUSeq2Seq(13, 13, embed_dim=8, hidden_size=8, attention=True)
    source = torch.randint(3, 13, (4, 9))
    logits, weights = plain(source, torch.randint(1, 13, (4, 6)))
    assert logits.shape == (4, 6, 13) and weights is None
    ids, alignments = plain.translate(source, length=5)
    assert ids.shape == (4, 5) and alignments is None
    assert "query" not in dict(plain.named_modules())
    extra = sum(p.numel() for p in with_attention.parameters()) - sum(
        p.numel() for p in plain.parameters()
    )
    assert extra > 0  # the query and key maps, and a wider read-out
    with pytest.raises(
        ValueError,
        match=r"expects source ids \(N, S\) of dtype int64, got shape \(2, 3\)",
    ):
        plain(torch.randn(2, 3), torch.ones(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="hidden_size"):
        GRUSeq2Seq(5, 5, hidden_size=0)


def test_transformer_translator_is_causal_ignores_padding_and_translates():
    torch.manual_seed(0)
    model = TransformerTranslator(20, 9, d_model=16, nhead=2, dropout=0.0).eval()
    source = torch.randint(1, 20, (2, 7))
    padded = torch.cat([source, torch.zeros(2, 5, dtype=torch.long)], 1)
    target_in = torch.randint(1, 9, (2, 6))
    logits, cross = model(source, target_in)
    assert logits.shape == (2, 6, 9) and cross.shape == (2, 2, 2, 6, 7)
    torch.testing.assert_close(model(padded, target_in)[0], logits, atol=1e-5, rtol=0)
    changed = target_in.clone()
    changed[:, 3:] = 1  # the future of position 2
    torch.testing.assert_close(model(source, changed)[0][:, :3], logits[:, :3])
    ids, alignment = model.translate(padded, length=4)
    assert ids.shape == (2, 4) and alignment.shape == (2, 2, 2, 4, 12)
    assert torch.all(alignment[..., 7:] == 0)  # padding gets no attention
    # greedy decoding is what teacher forcing predicts on its own outputs
    with_start = torch.cat([torch.ones(2, 1, dtype=torch.long), ids[:, :-1]], 1)
    assert torch.equal(model(padded, with_start)[0].argmax(-1), ids)
    with pytest.raises(ValueError, match="more than max_len=64"):
        model(torch.ones(1, 65, dtype=torch.long), target_in[:1])


@pytest.mark.slow
def test_transformer_translator_learns_dates():
    torch.manual_seed(0)
    from course_utils.train import train_steps

    source_vocab, target_vocab = date_vocabularies()
    pairs = split_dates(3000, 100, seed=0)
    model = TransformerTranslator(
        len(source_vocab), len(target_vocab), d_model=32, nhead=4, dropout=0.0
    )
    history = train_steps(
        model,
        encode_pairs(pairs.train, source_vocab, target_vocab),
        steps=150,
        batch_size=64,
        lr=3e-3,
        schedule="onecycle",
        device="cpu",
        verbose=False,
    )
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_copy_vocabulary_batches_for_teacher_forcing():
    vocab = CharVocab("0123456789", pad="<pad>", start="<s>", end="</s>")
    target_in, target = vocab.batch(["42", "7"])
    assert vocab.decode(target_in[0]) == "42" and target_in[0, 0] == vocab.start_id
    assert target[1].tolist()[-1] == -100  # padding ignored by the loss
