"""Drive the attention explorer's controls as a reader would."""

import pytest
import torch

from course_utils.data import CharVocab
from course_utils.models import GPTSource, TinyGPT
from course_utils.viz import plot_attention, plot_attention_grid
from course_utils.widgets import AttentionExplorer


@pytest.fixture(scope="module")
def explorer():
    return AttentionExplorer.demo()


def test_demo_has_the_three_models(explorer):
    assert list(explorer.model.options) == [
        "date translator",
        "tiny GPT (names)",
        "MiniLM (pretrained)",
    ]
    assert explorer.maps.caption.endswith(
        "→ 2026-11-22"
    )  # "22 Nov 2026", a trained translator


def test_every_model_layer_head_and_token(explorer):
    for name in explorer.model.options:
        explorer.model.value = name
        maps = explorer.maps
        assert list(explorer.layer.options) == list(range(maps.layers))
        assert len(explorer.token.options) == len(maps.queries)
        for layer in explorer.layer.options:
            explorer.layer.value = layer
            for head in explorer.head.options:
                explorer.head.value = head
                current = explorer.current()
                expected = (
                    maps.weights[layer].mean(0)
                    if head == "mean of heads"
                    else maps.weights[layer, head]
                )
                torch.testing.assert_close(current, expected)
    explorer.model.value = "MiniLM (pretrained)"
    assert explorer.maps.layers == 6 and explorer.maps.heads == 12


def test_views_and_token_change_the_display(explorer):
    explorer.model.value = "tiny GPT (names)"
    explorer.view.value = "sentence"
    explorer.token.value = 0
    first = explorer.html_view.value
    explorer.token.value = len(explorer.token.options) - 1
    assert (
        explorer.html_view.value != first and "attends to" in explorer.html_view.value
    )
    explorer.view.value = "heatmap"
    assert (
        "<table" in explorer.html_view.value
        and explorer.grid_box.layout.display == "none"
    )
    explorer.view.value = "grid"
    assert (
        explorer.grid_view.value[:4] == b"\x89PNG"
        and explorer.grid_box.layout.display == ""
    )
    explorer.view.value = "sentence"


def test_typing_and_picking_text_recompute(explorer):
    explorer.model.value = "date translator"
    explorer.text.value = "1999年12月31日"
    assert (
        explorer.maps.keys == list("1999年12月31日")
        and len(explorer.maps.queries) == 10
    )
    explorer.example.value = explorer.example.options[2]
    assert explorer.text.value == explorer.example.options[2]
    assert explorer.maps.caption.startswith(explorer.example.options[2])
    explorer.model.value = "tiny GPT (names)"
    explorer.text.value = "anna Bob!"  # upper case and unknown characters are cleaned
    assert explorer.maps.keys == list("anna⏎bob")


def test_causal_maps_have_nothing_above_the_diagonal(explorer):
    explorer.model.value = "tiny GPT (names)"
    weights = explorer.maps.weights
    assert torch.all(weights.triu(1) == 0)


def test_static_figures(explorer):
    explorer.model.value = "MiniLM (pretrained)"
    fig = plot_attention_grid(explorer.maps)
    assert len(fig.axes) == 72 + 1  # every head and one colourbar
    maps = explorer.maps
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
    tok = CharVocab("ab\n")
    small = AttentionExplorer(
        {"gpt": GPTSource(TinyGPT(len(tok), 8, 8, 1, 1), tok, ["ab"])}
    )
    assert small.head.options == (0,) or list(small.head.options) == [0]
