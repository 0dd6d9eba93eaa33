"""Byte-level BPE from scratch against the ``tokenizers`` library: same merges, same ids."""

from __future__ import annotations

import random

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from course_utils.data import load_kjv
from course_utils.data.bpe import (
    BPETokenizer,
    bytes_to_unicode,
    merge_word,
    pretokenize,
    train_bpe,
    word_counts,
)


def _reference(texts, vocab_size):
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=0,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
    )
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


ALPHABETS = [
    "ab",
    "abc",
    "ab ",
    "abc d",
    "aé你 ",
    "xyz\n ",
    "the cat sat, on 12 mats! ",
]


def _random_text(rng, alphabet, low, high):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def test_byte_table_is_the_byte_level_alphabet():
    table = bytes_to_unicode()
    assert sorted(table) == list(range(256))
    assert set(table.values()) == set(pre_tokenizers.ByteLevel.alphabet())
    assert table[ord(" ")] == "Ġ" and table[ord("A")] == "A"


@pytest.mark.parametrize("seed", range(40))
def test_pretokenize_matches_tokenizers(seed):
    rng = random.Random(seed)
    text = _random_text(rng, rng.choice(ALPHABETS) + "'sll\t", 0, 80)
    reference = pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(text)
    assert pretokenize(text) == [piece for piece, _ in reference]


@pytest.mark.parametrize("seed", range(120))
def test_training_matches_tokenizers_on_random_corpora(seed):
    """Small alphabets give many ties and tokens that two different merges spell alike."""
    rng = random.Random(seed)
    alphabet = rng.choice(ALPHABETS)
    texts = [_random_text(rng, alphabet, 1, 60) for _ in range(rng.randint(1, 8))]
    vocab_size = rng.randint(256, 330)
    ours = train_bpe(texts, vocab_size)
    reference = _reference(texts, vocab_size)
    theirs = BPETokenizer.from_tokenizers(reference)
    assert ours.vocab == theirs.vocab
    assert ours.merges == theirs.merges
    probe = _random_text(rng, alphabet, 0, 100)
    assert ours.encode(probe) == reference.encode(probe).ids
    assert ours.decode(ours.encode(probe)) == probe


def test_training_matches_tokenizers_on_a_book_of_the_bible():
    text = load_kjv(["Ruth", "Jonah"])
    ours = train_bpe([text], 600)
    reference = _reference([text], 600)
    assert ours.vocab == BPETokenizer.from_tokenizers(reference).vocab
    held_out = load_kjv(["Obadiah"])
    assert ours.encode(held_out) == reference.encode(held_out).ids


def test_word_counts_can_be_given_instead_of_texts():
    texts = ["low lower lowest", "newer wider"]
    assert train_bpe(word_counts(texts), 270).merges == train_bpe(texts, 270).merges


@pytest.mark.parametrize("seed", range(30))
def test_round_trip_on_any_unicode(seed):
    rng = random.Random(seed)
    tokenizer = train_bpe(["the quick brown fox jumps over the lazy dog " * 5], 300)
    text = "".join(
        chr(
            rng.choice(
                [
                    rng.randint(32, 126),
                    rng.randint(0x4E00, 0x9FFF),
                    rng.randint(0x1F600, 0x1F64F),
                    10,
                ]
            )
        )
        for _ in range(rng.randint(0, 40))
    )
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert tokenizer.to_tokenizers().encode(text).ids == tokenizer.encode(text)


def test_merge_word_reports_the_pair_changes():
    word = [1, 2, 1, 2]
    changes = merge_word(word, (1, 2), 9)
    assert word == [9, 9]
    assert sorted(changes) == sorted(
        [((2, 1), -1), ((9, 1), 1), ((9, 1), -1), ((9, 9), 1)]
    )


def test_bad_input():
    with pytest.raises(ValueError, match="vocab_size must be >= 256"):
        train_bpe(["abc"], 100)
    with pytest.raises(TypeError, match="vocab_size must be an int"):
        train_bpe(["abc"], 300.0)
    with pytest.raises(TypeError, match="text must be a str"):
        pretokenize(b"bytes")
    with pytest.raises(ValueError, match="lacks 255 of the 256 byte symbols"):
        BPETokenizer(["a"], [])
    tokenizer = train_bpe(["abc"], 257)
    with pytest.raises(ValueError, match="ids must be ints in"):
        tokenizer.decode([10_000])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        BPETokenizer(tokenizer.vocab, [("x", "y")])
