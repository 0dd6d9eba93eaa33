"""Drive the attention explorer's controls as a reader would, and check what it shows.

The checks are properties that hold for any model, trained or not: maps have one
row per query and one column per key, every row is a probability distribution,
causal maps have nothing above the diagonal, and every control changes the view.
So the fixture uses small untrained models (seeded) and the pretrained MiniLM,
never the outputs of a briefly trained model.
"""

from __future__ import annotations

import random

import pytest
import torch

from course_utils.data import CharVocab, date_vocabularies
from course_utils.models import (
    DateTranslator,
    DateTranslatorSource,
    GPTSource,
    MiniLMSource,
    TinyGPT,
)
from course_utils.models.demo import DATE_EXAMPLES, NAME_EXAMPLES, SENTENCE_EXAMPLES
from course_utils.models.pretrained import load_minilm
from course_utils.viz import plot_attention, plot_attention_grid
from course_utils.widgets import AttentionExplorer
from course_utils.widgets.attention_explorer import MEAN
from course_utils.widgets.driver import change

TRANSLATOR, GPT, MINILM = "date translator", "tiny GPT", "MiniLM"


@pytest.fixture(scope="module")
def sources():
    torch.manual_seed(0)
    source_vocab, target_vocab = date_vocabularies()
    translator = DateTranslator(len(source_vocab), len(target_vocab), hidden_size=16)
    tokenizer = CharVocab("abcdefghijklmnopqrstuvwxyz\n")
    gpt = TinyGPT(len(tokenizer), block_size=32, d_model=16, n_head=2, n_layer=2)
    minilm, word_pieces = load_minilm()
    return {
        TRANSLATOR: DateTranslatorSource(
            translator, source_vocab, target_vocab, DATE_EXAMPLES
        ),
        GPT: GPTSource(gpt, tokenizer, NAME_EXAMPLES),
        MINILM: MiniLMSource(minilm, word_pieces, SENTENCE_EXAMPLES),
    }


@pytest.fixture
def explorer(sources):
    return AttentionExplorer(sources)


def _check_maps(explorer):
    """The maps shown are well formed and the controls offer exactly what they hold."""
    maps = explorer.maps
    layers, heads, queries, keys = maps.weights.shape
    assert (queries, keys) == (len(maps.queries), len(maps.keys))
    assert torch.isfinite(maps.weights).all() and (maps.weights >= 0).all()
    torch.testing.assert_close(
        maps.weights.sum(-1), torch.ones(layers, heads, queries), atol=1e-5, rtol=0
    )
    assert list(explorer.layer.options) == list(range(layers))
    expected_heads = [MEAN, *range(heads)] if heads > 1 else [0]
    assert list(explorer.head.options) == expected_heads
    assert [value for _, value in explorer.token.options] == list(range(queries))


@pytest.mark.parametrize("model", [TRANSLATOR, GPT, MINILM])
def test_every_example_gives_normalised_maps_of_the_right_shape(explorer, model):
    explorer.model.value = model
    for example in explorer.example.options:
        explorer.example.value = example
        assert explorer.text.value == example
        _check_maps(explorer)


def test_the_selected_map_is_the_selected_layer_and_head(explorer):
    for model in (TRANSLATOR, GPT, MINILM):
        explorer.model.value = model
        weights = explorer.maps.weights
        for layer in explorer.layer.options:
            explorer.layer.value = layer
            for head in explorer.head.options:
                explorer.head.value = head
                expected = (
                    weights[layer].mean(0) if head == MEAN else weights[layer, head]
                )
                torch.testing.assert_close(explorer.current(), expected)
                # the mean of distributions is a distribution too
                torch.testing.assert_close(
                    explorer.current().sum(-1),
                    torch.ones(len(explorer.maps.queries)),
                )


def test_sizes_of_each_model(explorer):
    explorer.model.value = MINILM
    assert (explorer.maps.layers, explorer.maps.heads) == (6, 12)
    assert explorer.maps.queries == explorer.maps.keys  # self-attention
    assert explorer.maps.keys[0] == "[CLS]" and explorer.maps.keys[-1] == "[SEP]"
    explorer.model.value = GPT
    assert (explorer.maps.layers, explorer.maps.heads) == (2, 2)
    assert explorer.maps.queries == explorer.maps.keys
    explorer.model.value = TRANSLATOR
    assert (explorer.maps.layers, explorer.maps.heads) == (1, 1)
    assert explorer.head.options == (0,) or list(explorer.head.options) == [0]


def test_causal_maps_have_nothing_above_the_diagonal(explorer):
    explorer.model.value = GPT
    for text in ("emma", "james john", "abcdefghijklmnopqrstuvwxyz"):
        explorer.text.value = text
        weights = explorer.maps.weights
        assert torch.all(weights.triu(1) == 0)
        # the first character can only look at itself
        assert torch.all(weights[..., 0, 0] == 1)
    explorer.model.value = MINILM  # MiniLM reads both ways: not causal
    assert (explorer.maps.weights.triu(1) > 0).any()


def test_token_layer_and_head_change_the_sentence_view(explorer):
    explorer.model.value = MINILM
    explorer.view.value = "sentence"
    seen = {explorer.html_view.value}
    for control, value in (
        (explorer.token, 1),
        (explorer.layer, 3),
        (explorer.head, 5),
        (explorer.head, MEAN),
    ):
        control.value = value
        assert explorer.html_view.value not in seen, control.description
        seen.add(explorer.html_view.value)
    token = explorer.maps.queries[explorer.token.value]
    assert (
        "attends to" in explorer.html_view.value and token in explorer.html_view.value
    )


def test_the_three_views(explorer):
    explorer.model.value = GPT
    explorer.text.value = "anna"
    explorer.view.value = "heatmap"
    table = explorer.html_view.value
    assert table.count("<tr") == len(explorer.maps.queries) + 1  # a header row
    assert explorer.grid_box.layout.display == "none"
    explorer.view.value = "grid"
    assert explorer.grid_view.value[:4] == b"\x89PNG"
    assert explorer.grid_box.layout.display == ""
    assert "all 2 layers (rows) x 2 heads" in explorer.html_view.value
    explorer.view.value = "sentence"
    assert explorer.grid_box.layout.display == "none"
    assert explorer.html_view.value != table


def test_typing_text_recomputes_and_keeps_layer_and_head(explorer):
    explorer.model.value = MINILM
    explorer.layer.value, explorer.head.value = 4, 7
    explorer.text.value = "Attention is all you need."
    assert explorer.maps.keys[1:-1] == ["attention", "is", "all", "you", "need", "."]
    assert (explorer.layer.value, explorer.head.value) == (4, 7)
    assert explorer.token.value == len(explorer.maps.queries) - 1  # the last token
    explorer.model.value = TRANSLATOR
    explorer.text.value = "1999年12月31日"
    assert explorer.maps.keys == list("1999年12月31日")
    assert explorer.maps.caption.startswith("1999年12月31日 → ")


def test_the_gpt_source_cleans_the_text(explorer):
    explorer.model.value = GPT
    explorer.text.value = "anna Bob!"  # upper case and unknown characters are cleaned
    assert explorer.maps.keys == list("anna⏎bob")


def test_a_new_model_resets_examples_and_runs_the_model_once(explorer, sources):
    calls = []
    for source in sources.values():
        original = source.attention
        source.attention = lambda text, original=original: (
            calls.append(text) or original(text)
        )
    try:
        for model in (GPT, TRANSLATOR, MINILM):
            calls.clear()
            explorer.model.value = model
            assert list(explorer.example.options) == sources[model].examples
            assert explorer.text.value == sources[model].examples[0]
            assert calls == [sources[model].examples[0]]  # one run, not one per control
        calls.clear()
        explorer.example.value = explorer.example.options[2]
        assert calls == [explorer.example.options[2]]
        calls.clear()
        rng = random.Random(0)
        for control in (explorer.layer, explorer.head, explorer.token, explorer.view):
            assert change(control, rng), control.description
        assert calls == []  # only the model and the text run the model
    finally:
        for source in sources.values():
            del source.attention


def test_static_figures(explorer):
    explorer.model.value = GPT
    maps = explorer.maps
    fig = plot_attention_grid(maps)
    assert len(fig.axes) == maps.layers * maps.heads
    fig = plot_attention(
        maps.weights[0, 0], maps.queries, maps.keys, title="layer 0, head 0"
    )
    assert fig.axes[0].get_title() == "layer 0, head 0"
    with pytest.raises(ValueError, match="do not match"):
        plot_attention(maps.weights[0, 0], maps.queries[:-1], maps.keys)


def test_explorer_rejects_bad_sources():
    with pytest.raises(ValueError, match="at least one"):
        AttentionExplorer({})
    with pytest.raises(TypeError, match="'attention\\(text\\)' method, got int"):
        AttentionExplorer({"x": 3})
    with pytest.raises(TypeError, match="non-empty 'examples'"):
        AttentionExplorer({"x": GPTSource(TinyGPT(3, 8, 8, 1, 1), None, [])})
