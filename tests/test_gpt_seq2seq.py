"""The tiny GPT (KV cache, sampling), the date translator and the chapter's data."""

import datetime

import pytest
import torch

from course_utils.data import (
    DATE_FORMATS,
    CharVocab,
    date_vocabularies,
    encode_pairs,
    lm_batches,
    load_first_names,
    load_name_genders,
    random_date_pairs,
    split_dates,
    write_date,
)
from course_utils.metrics import exact_match
from course_utils.models import (
    AttentionMaps,
    DateTranslator,
    KVCache,
    TinyGPT,
    generate,
)
from course_utils.train import train_steps


@pytest.fixture(scope="module")
def gpt():
    torch.manual_seed(0)
    return TinyGPT(vocab_size=11, block_size=24, d_model=32, n_head=4, n_layer=3).eval()


def test_kv_cache_gives_the_same_logits_as_the_full_sequence(gpt):
    ids = torch.randint(0, 11, (2, 20))
    full = gpt(ids)
    cache = KVCache(3)
    pieces = [gpt(ids[:, :7], cache), gpt(ids[:, 7:8], cache), gpt(ids[:, 8:], cache)]
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, atol=1e-5, rtol=1e-5)
    assert cache.length == 20


def test_model_is_causal(gpt):
    ids = torch.randint(0, 11, (1, 12))
    changed = ids.clone()
    changed[0, 8:] = (changed[0, 8:] + 1) % 11
    torch.testing.assert_close(gpt(ids)[:, :8], gpt(changed)[:, :8])
    assert not torch.allclose(gpt(ids)[:, 8:], gpt(changed)[:, 8:])


@pytest.mark.parametrize("temperature, top_k", [(0.0, None), (1.0, None), (0.7, 3)])
def test_sampling_with_and_without_cache_agree(gpt, temperature, top_k):
    prompt = torch.randint(0, 11, (3, 2))
    outs = [
        generate(
            gpt,
            prompt,
            15,
            temperature,
            top_k,
            use_cache=c,
            generator=torch.Generator().manual_seed(5),
        )
        for c in (True, False)
    ]
    assert outs[0].shape == (3, 17) and torch.equal(outs[0], outs[1])
    assert torch.equal(outs[0][:, :2], prompt)


def test_top_k_one_is_greedy(gpt):
    prompt = torch.randint(0, 11, (2, 3))
    greedy = generate(gpt, prompt, 8, temperature=0)
    assert torch.equal(greedy, generate(gpt, prompt, 8, temperature=1.5, top_k=1))


def test_gpt_rejects_too_long_context(gpt):
    with pytest.raises(ValueError, match="exceeds block_size 24"):
        gpt(torch.zeros(1, 25, dtype=torch.long))
    with pytest.raises(ValueError, match="exceed block_size 24"):
        generate(gpt, torch.zeros(1, 5, dtype=torch.long), 20)
    with pytest.raises(ValueError, match=r"\(N, T\), got \(5,\)"):
        gpt(torch.zeros(5, dtype=torch.long))


def test_lm_batches_targets_are_shifted_inputs():
    data = torch.arange(100)
    x, y = lm_batches(data, 8, 4, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 8) and torch.equal(y, x + 1)


def test_a_plain_character_vocabulary_round_trips_newlines():
    vocab = CharVocab("abc\n")
    assert vocab.decode(vocab.encode("cab\na")) == "cab\na"
    with pytest.raises(ValueError, match=r"\['z'\]"):
        vocab.encode("az")


# ----------------------------------------------------------------------------- dates


def test_every_format_round_trips_to_the_iso_date():
    rng = torch.Generator().manual_seed(0)
    for _ in range(30):
        day = datetime.date(1900, 1, 1) + datetime.timedelta(
            days=int(torch.randint(0, 73000, (1,), generator=rng))
        )
        texts = {style: write_date(day, style) for style in DATE_FORMATS}
        assert str(day.year) in texts["d Mon yyyy"] and texts[
            "yyyy年m月d日"
        ].startswith(str(day.year))
        assert texts["mm/dd/yyyy (US)"] == day.strftime("%m/%d/%Y")
        assert texts["dd.mm.yyyy"] == day.strftime("%d.%m.%Y")
        assert texts["Weekday, Month d, yyyy"].startswith(day.strftime("%A"))


def test_chinese_numerals():
    assert (
        write_date(datetime.date(1969, 7, 3), "chinese numerals")
        == "一九六九年七月三日"
    )
    assert (
        write_date(datetime.date(2000, 10, 20), "chinese numerals")
        == "二〇〇〇年十月二十日"
    )
    assert (
        write_date(datetime.date(2011, 12, 31), "chinese numerals")
        == "二〇一一年十二月三十一日"
    )


def test_split_keeps_test_dates_out_of_training_and_is_seeded():
    pairs = split_dates(2000, 300, seed=3)
    assert len(pairs.train) == 2000 and len(pairs.test) == 300
    assert {iso for _, iso in pairs.train}.isdisjoint({iso for _, iso in pairs.test})
    assert random_date_pairs(50, seed=1) == random_date_pairs(50, seed=1)
    with pytest.raises(ValueError, match="unknown date format 'dd/mm'"):
        write_date(datetime.date(2000, 1, 1), "dd/mm")


def test_vocabularies_cover_every_generated_date():
    source, target = date_vocabularies()
    pairs = random_date_pairs(500, seed=9)
    x, decoder_input, y = encode_pairs(pairs, source, target)
    assert x.shape == (500, 32) and decoder_input.shape == y.shape == (500, 10)
    assert [source.decode(row) for row in x] == [text for text, _ in pairs]
    assert [target.decode(row) for row in y] == [iso for _, iso in pairs]
    # teacher forcing: the decoder reads the start token, then the true characters
    assert (decoder_input[:, 0] == target.start_id).all()
    assert torch.equal(decoder_input[:, 1:], y[:, :-1])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        target.encode("2026/11/22")
    with pytest.raises(ValueError, match="needs 33 ids, more than length=32"):
        encode_pairs([("x" * 33, "2026-11-22")], CharVocab("x", pad="_"), target)
    with pytest.raises(ValueError, match="encode_pairs: pairs is empty"):
        encode_pairs([], source, target)


def test_names_data():
    names = load_first_names()
    assert len(names) == len(set(names)) > 5000 and "emma" in names and "james" in names
    pairs = load_name_genders(seed=0)
    labels = [label for _, label in pairs]
    assert labels.count(0) == labels.count(1)
    assert "james" not in dict(pairs)  # also in the female list: left out
    assert dict(pairs)["garth"] == 0


# ----------------------------------------------------------------------------- translator


def test_translator_shapes_masks_and_learning():
    torch.manual_seed(0)
    source, target = date_vocabularies()
    x, decoder_input, y = encode_pairs(random_date_pairs(400, seed=0), source, target)
    model = DateTranslator(len(source), len(target), embed_dim=16, hidden_size=16)
    ids, alignments = model.translate(x[:5])
    assert ids.shape == (5, 10) and alignments.shape == (5, 10, 32)
    lengths = (x[:5] != 0).sum(1)
    for row, length in zip(alignments, lengths):
        assert torch.all(row[:, length:] == 0)  # padding gets no attention
        torch.testing.assert_close(row.sum(-1), torch.ones(10))
    history = train_steps(
        model, (x, decoder_input, y), steps=21, batch_size=64, lr=3e-3, verbose=False
    )
    assert history.last["loss"] < history.rows[0]["loss"] - 0.5
    with pytest.raises(ValueError, match=r"source ids \(N, S\)"):
        model.translate(x[0])


def test_exact_match():
    assert exact_match(["a", "b"], ["a", "c"]) == 0.5
    with pytest.raises(ValueError, match="equal length"):
        exact_match(["a"], [])


def test_attention_maps_check_their_shape():
    with pytest.raises(ValueError, match=r"2 queries, 3 keys\), got \(1, 1, 3, 3\)"):
        AttentionMaps(torch.rand(1, 1, 3, 3), ["a", "b"], ["a", "b", "c"])
