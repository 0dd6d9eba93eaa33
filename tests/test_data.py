"""Offline loaders and augmentation, the character vocabulary, language-model windows."""

import pytest
import torch

import course_utils.data
from course_utils.data import (
    PHOTOS,
    CharVocab,
    RandomShift,
    lm_batches,
    lm_windows,
    load_digits,
    load_mnist,
    load_photo,
    names_corpus,
)


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_mnist_is_real_balanced_and_in_unit_range(mnist):
    assert mnist.X_train.shape == (4000, 1, 28, 28) and mnist.X_test.shape == (
        1000,
        1,
        28,
        28,
    )
    assert mnist.X_train.dtype == torch.float32 and mnist.y_train.dtype == torch.int64
    assert 0.0 <= mnist.X_train.min() and mnist.X_train.max() <= 1.0
    # Stratified split of 500 images per digit: 100 of each in the test set.
    assert torch.equal(torch.bincount(mnist.y_test), torch.full((10,), 100))
    # Real digits have a dark background and a bright stroke in the middle.
    mean_image = mnist.X_train.mean(0)[0]
    assert mean_image[14, 14] > 0.3 and mean_image[0, 0] < 0.01


def test_mnist_split_is_repeatable_and_seeded(mnist):
    again = load_mnist()
    assert torch.equal(again.y_train, mnist.y_train)
    other = load_mnist(seed=1)
    assert not torch.equal(other.y_train, mnist.y_train)


def test_mnist_limit_keeps_a_stratified_subset():
    small = load_mnist(limit=500)
    assert small.X_train.shape[0] == 500
    assert torch.equal(torch.bincount(small.y_train), torch.full((10,), 50))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"test_size": 0}, "test_size"),
        ({"limit": 5}, "limit"),
        ({"test_size": 1.5}, "test_size"),
    ],
)
def test_mnist_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_mnist(**kwargs)


def test_sklearn_digits():
    digits = load_digits()
    assert digits.X_train.shape[1:] == (1, 8, 8) and digits.num_classes == 10
    assert len(digits.X_train) + len(digits.X_test) == 1797


@pytest.mark.parametrize("name", PHOTOS)
def test_every_listed_photo_loads_offline(name):
    photo = load_photo(name, size=32)
    assert photo.shape == (32, 32) and photo.dtype == torch.float32
    assert 0.0 <= photo.min() and photo.max() <= 1.0 and photo.std() > 0.01


def test_photo_colour_and_original_size():
    assert load_photo("coffee", size=16, gray=False).shape == (3, 16, 16)
    assert load_photo("camera", size=None).shape == (512, 512)
    assert load_photo("camera", size=None, gray=False).shape == (3, 512, 512)


def test_photo_rejects_unknown_names_and_sizes():
    with pytest.raises(ValueError, match="unknown photo 'eagle'.*camera"):
        load_photo("eagle")
    with pytest.raises(ValueError, match="size must be"):
        load_photo("camera", size=2)


def test_random_shift_moves_images_without_changing_content():
    image = torch.zeros(1, 1, 9, 9)
    image[0, 0, 4, 4] = 1.0
    shifted = RandomShift(max_shift=2, seed=0)(image.repeat(50, 1, 1, 1))
    assert shifted.shape == (50, 1, 9, 9)
    assert torch.all(shifted.sum(dim=(1, 2, 3)) == 1.0)  # the dot survives every shift
    positions = {
        tuple(p) for p in shifted[:, 0].flatten(1).argmax(1).unsqueeze(1).tolist()
    }
    assert len(positions) > 5  # and lands in many places


def test_random_shift_rejects_bad_input():
    with pytest.raises(ValueError, match="max_shift"):
        RandomShift(-1)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got \(9, 9\)"):
        RandomShift(1)(torch.zeros(9, 9))


# ----------------------------------------------------------------------------- vocabulary

SPECIALS = [
    {},
    {"pad": "."},
    {"pad": ".", "start": ".", "end": "."},  # one boundary token, as for the names
    {"pad": "<pad>", "start": "<s>", "end": "</s>"},
    {"start": "<s>", "end": "</s>"},
    {"pad": "<pad>", "end": "</s>"},
]


def random_texts(generator, alphabet, count, max_length=12, min_length=0):
    lengths = torch.randint(min_length, max_length + 1, (count,), generator=generator)
    return [
        "".join(
            alphabet[i] for i in torch.randint(len(alphabet), (n,), generator=generator)
        )
        for n in lengths.tolist()
    ]


@pytest.mark.parametrize("specials", SPECIALS)
def test_vocab_ids_are_specials_then_sorted_characters(specials):
    vocab = CharVocab(["hello", "world"], **specials)
    distinct = list(dict.fromkeys(specials.values()))  # each special once, in order
    assert vocab.itos == distinct + sorted(set("helloworld"))
    assert vocab.chars == "dehlorw" and len(vocab) == len(distinct) + 7
    assert all(vocab.stoi[token] == i for i, token in enumerate(vocab.itos))
    for name in ("pad", "start", "end"):
        token = specials.get(name)
        expected = None if token is None else distinct.index(token)
        assert getattr(vocab, f"{name}_id") == expected


@pytest.mark.parametrize("specials", SPECIALS)
def test_vocab_round_trips_random_texts(specials):
    generator = torch.Generator().manual_seed(len(specials))
    alphabet = "abcxyz 年月-\n"
    vocab = CharVocab(alphabet, **specials)
    has = {name: name in specials for name in ("pad", "start", "end")}
    for text in random_texts(generator, alphabet, 200):
        ids = vocab.encode(text)
        assert ids.dtype == torch.int64 and ids.tolist() == [
            vocab.stoi[c] for c in text
        ]
        assert vocab.decode(ids) == text
        if has["start"] and has["end"]:
            framed = vocab.encode(text, start=True, end=True)
            assert framed[0] == vocab.start_id and framed[-1] == vocab.end_id
            assert vocab.decode(framed) == text
        if has["pad"]:
            padded = vocab.encode(text, end=has["end"], length=15)
            assert len(padded) == 15 and vocab.decode(padded) == text
            assert (padded[len(text) + has["end"] :] == vocab.pad_id).all()


def test_decode_stops_at_end_and_skips_padding_start_and_ignored_targets():
    vocab = CharVocab("ab", pad="<pad>", start="<s>", end="</s>")
    a, b = vocab.stoi["a"], vocab.stoi["b"]
    assert vocab.decode([1, a, 0, b, 2, a, a]) == "ab"  # stops at </s>
    assert vocab.decode(torch.tensor([a, -100, b])) == "ab"
    boundary = CharVocab("ab", pad=".", start=".", end=".")
    assert boundary.decode([0, 0, 1, 2, 0, 1]) == "ab"  # first "." starts, next ends
    plain = CharVocab("ab")
    assert plain.decode([0, 1, 0]) == "aba"  # no specials: every id is a character


def test_encode_batch_pads_to_the_longest_or_to_a_length():
    vocab = CharVocab("abc", pad="_", start="^", end="$")
    ids = vocab.encode_batch(["ab", "c", ""], start=True, end=True)
    assert ids.shape == (3, 4)
    assert [vocab.decode(row) for row in ids] == ["ab", "c", ""]
    assert ids[1].tolist() == [1, 5, 2, 0]
    assert vocab.encode_batch(["ab", "c"], length=6).shape == (2, 6)
    with pytest.raises(ValueError, match="needs 3 ids, more than length=2"):
        vocab.encode_batch(["abc"], length=2)


@pytest.mark.parametrize("specials", SPECIALS[1:])
def test_batch_makes_next_character_targets(specials):
    generator = torch.Generator().manual_seed(0)
    vocab = CharVocab("abcdef", **specials)
    # without a pad token every text must have the same length
    shortest = 1 if "pad" in specials else 12
    texts = random_texts(generator, "abcdef", 50, min_length=shortest)
    inputs, targets = vocab.batch(texts)
    assert inputs.shape == targets.shape and inputs.dtype == torch.int64
    for text, row_in, row_target in zip(texts, inputs, targets):
        ids = vocab.encode(
            text, start=vocab.start is not None, end=vocab.end is not None
        )
        n = len(ids) - 1
        assert torch.equal(row_in[:n], ids[:-1]) and torch.equal(
            row_target[:n], ids[1:]
        )
        assert (row_target[n:] == -100).all()
        if vocab.pad_id is not None:
            assert (row_in[n:] == vocab.pad_id).all()
    # the padded targets cost nothing: the loss is the mean over real targets only
    logits = torch.randn(*inputs.shape, len(vocab), generator=generator)
    real = targets != -100
    expected = torch.nn.functional.cross_entropy(logits[real], targets[real])
    torch.testing.assert_close(
        torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets), expected
    )


def test_batch_of_the_names_chapter_is_unchanged():
    vocab = CharVocab(["anna", "bob"], pad=".", start=".", end=".")
    assert vocab.itos == [".", "a", "b", "n", "o"]
    inputs, targets = vocab.batch(["anna", "bob"])
    assert inputs.tolist() == [[0, 1, 3, 3, 1], [0, 2, 4, 2, 0]]
    assert targets.tolist() == [[1, 3, 3, 1, 0], [2, 4, 2, 0, -100]]


def test_vocab_rejects_bad_input():
    vocab = CharVocab(["anna", "bob"], pad=".", start=".", end=".")
    with pytest.raises(ValueError, match=r"CharVocab.encode: text 'zoe'.*\['e', 'z'\]"):
        vocab.encode("zoe")
    with pytest.raises(ValueError, match=r"\['\.'\]"):  # the boundary is no character
        vocab.encode("a.b")
    with pytest.raises(TypeError, match="CharVocab.encode: text must be a string"):
        vocab.encode(["a"])
    with pytest.raises(ValueError, match="special token '.' also occurs"):
        CharVocab(["a.b"], pad=".")
    with pytest.raises(TypeError, match="CharVocab: pad must be a string"):
        CharVocab("ab", pad=0)
    with pytest.raises(TypeError, match="CharVocab: text must hold strings only"):
        CharVocab(["ab", 3])
    with pytest.raises(TypeError, match="CharVocab: text must be a string or a list"):
        CharVocab(42)
    with pytest.raises(ValueError, match="CharVocab: text holds no characters"):
        CharVocab([])
    plain = CharVocab("ab")
    with pytest.raises(ValueError, match="no start token; create it with start="):
        plain.encode("ab", start=True)
    with pytest.raises(ValueError, match="no pad token"):
        plain.encode("a", length=3)
    with pytest.raises(ValueError, match="different lengths need a pad token"):
        plain.batch(["ab", "aba"])
    with pytest.raises(ValueError, match="nothing to predict"):
        plain.batch(["a"])
    with pytest.raises(ValueError, match="texts is empty"):
        vocab.batch([])
    with pytest.raises(ValueError, match=r"id 9 is outside the vocabulary \[0, 4\]"):
        vocab.decode([1, 9])
    with pytest.raises(ValueError, match=r"one sequence \(1-D\), got shape \(2, 2\)"):
        vocab.decode(torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="length must be >= 1"):
        vocab.encode("ab", length=0)


def test_old_vocabulary_names_warn_and_build_the_new_class():
    with pytest.warns(DeprecationWarning, match="use CharVocab\\(text\\)"):
        from course_utils.data import CharTokenizer
    with pytest.warns(DeprecationWarning, match="pad='<pad>'"):
        from course_utils.data import PaddedCharVocab
    tokenizer, padded = CharTokenizer("ba\n"), PaddedCharVocab("0123456789-")
    assert tokenizer.itos == ["\n", "a", "b"]
    assert padded.itos[:3] == ["<pad>", "<s>", "</s>"] and len(padded) == 14
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = course_utils.data.Nope


# ----------------------------------------------------------------------------- language-model windows


@pytest.mark.parametrize("length, block", [(2, 1), (9, 8), (50, 8), (33, 32)])
def test_lm_windows_and_batches_hold_shifted_windows(length, block):
    data = torch.randint(
        0, 7, (length,), generator=torch.Generator().manual_seed(length)
    )
    inputs, targets = lm_windows(data, block)
    assert inputs.shape == targets.shape == (length - block, block)
    for i in range(len(inputs)):
        assert torch.equal(inputs[i], data[i : i + block])
        assert torch.equal(targets[i], data[i + 1 : i + block + 1])
    # lm_batches draws random windows of the same kind, every start possible
    positions = torch.arange(length)
    x, y = lm_batches(positions, block, 400, generator=torch.Generator().manual_seed(1))
    assert x.shape == (400, block) and torch.equal(y, x + 1)
    assert set(x[:, 0].tolist()) == set(range(length - block))


def test_lm_windows_and_batches_reject_bad_input():
    with pytest.raises(
        ValueError, match=r"lm_batches: data holds 8 tokens, too few .*block_size=8"
    ):
        lm_batches(torch.arange(8), 8, 4)
    with pytest.raises(ValueError, match="lm_windows: data holds 3 tokens"):
        lm_windows(torch.arange(3), 5)
    with pytest.raises(
        ValueError, match=r"1-D tensor of token ids, got shape \(2, 5\)"
    ):
        lm_windows(torch.zeros(2, 5, dtype=torch.long), 2)
    with pytest.raises(TypeError, match="lm_batches: data must be a 1-D tensor"):
        lm_batches([1, 2, 3, 4], 2, 1)
    with pytest.raises(ValueError, match="block_size must be >= 1"):
        lm_windows(torch.arange(5), 0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        lm_batches(torch.arange(50), 4, 2.5)


def test_names_corpus_is_a_character_stream_of_names():
    vocab, train_text, test_text = names_corpus(seed=0)
    assert vocab.itos == ["\n", *"abcdefghijklmnopqrstuvwxyz"]
    assert vocab.decode(vocab.encode(train_text)) == train_text
    train, test = set(train_text.split()), set(test_text.split())
    assert train.isdisjoint(test) and len(test) == len(train | test) // 10
    with pytest.raises(ValueError, match="test_fraction must be in"):
        names_corpus(test_fraction=1.0)
