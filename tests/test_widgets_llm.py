"""The next-token explorer on a small random Llama (fast), and its static figure."""

from __future__ import annotations

import pytest
import torch

from course_utils.models import Llama, LlamaSettings, next_token_probabilities
from course_utils.viz import (
    next_token_html,
    next_token_rows,
    plot_temperatures,
    token_label,
)
from course_utils.widgets import NextTokenExplorer


class Letters:
    """A stand-in tokenizer: one token per lower-case letter or space."""

    alphabet = " abcdefghijklmnopqrstuvwxyz"

    def encode(self, text):
        return [self.alphabet.index(c) for c in text.lower() if c in self.alphabet]

    def decode(self, ids, **kwargs):
        return "".join(self.alphabet[i % len(self.alphabet)] for i in ids)

    def apply_chat_template(self, messages, add_generation_prompt=True, tokenize=False):
        return "user " + messages[0]["content"] + " assistant "


@pytest.fixture
def explorer():
    torch.manual_seed(0)
    model = Llama(LlamaSettings(27, 32, 48, 2, 4, 2, max_position_embeddings=64))
    return NextTokenExplorer(model, Letters(), prompt="the cat", show=5, max_tokens=12)


def test_sliders_reshape_without_running_the_model(explorer):
    calls = []
    explorer.model.register_forward_hook(lambda *args: calls.append(1))
    before = explorer.table.value
    explorer.temperature.value = 0.3
    explorer.top_k.value = 3
    explorer.top_p.value = 0.5
    assert explorer.table.value != before and calls == []
    expected = next_token_probabilities(explorer.logits, 0.3, 3, 0.5)
    torch.testing.assert_close(explorer.probabilities(), expected)
    assert int((explorer.probabilities() > 0).sum()) <= 3


def test_click_append_undo_reset(explorer):
    logits = explorer.logits.clone()
    first = explorer._shown[0]
    explorer.tokens[0].click()
    assert explorer.ids[-1] == first and len(explorer.ids) == explorer.prompt_length + 1
    # the cached forward pass gives the logits of a full forward pass
    with torch.no_grad():
        full = explorer.model(torch.tensor([explorer.ids]))[0, -1]
    torch.testing.assert_close(explorer.logits, full, atol=1e-5, rtol=1e-4)
    explorer.sample.click()
    assert len(explorer.ids) == explorer.prompt_length + 2
    explorer.undo.click()
    explorer.reset.click()
    assert len(explorer.ids) == explorer.prompt_length and torch.equal(
        explorer.logits, logits
    )
    assert explorer.cache.length == explorer.prompt_length
    explorer.undo.click()
    assert "nothing to undo" in explorer.text_view.value
    for _ in range(20):  # the length limit
        explorer.tokens[1].click()
    assert len(explorer.ids) == 12 and "limit" in explorer.text_view.value


def test_prompt_and_chat_box(explorer):
    explorer.text.value = "a dog"
    assert explorer.ids == Letters().encode("a dog")
    explorer.chat.value = True  # the prompt is cut to leave room for one token
    assert (
        explorer.ids
        == Letters().encode("user a dog assistant ")[: explorer.max_tokens - 1]
    )
    explorer.chat.value = False
    assert explorer.ids == Letters().encode("a dog")


def test_rows_and_html():
    logits = torch.tensor([3.0, 1.0, 2.0, -1.0])
    rows = next_token_rows(logits, temperature=1.0, top_k=2, show=3)
    assert [r.token_id for r in rows] == [0, 2, 1]
    assert rows[2].sampled == 0 and abs(sum(r.model for r in rows) - 0.98) < 0.01
    html = next_token_html(rows, ["a", "<b>", "c"], caption="x")
    assert "&lt;b&gt;" in html and html.count("<tr>") == 4
    with pytest.raises(ValueError, match="3 rows but 2 labels"):
        next_token_html(rows, ["a", "b"])
    with pytest.raises(ValueError, match="one position"):
        next_token_rows(torch.zeros(2, 4))
    assert token_label(" a\n") == "␣a⏎"


def test_static_figure():
    fig = plot_temperatures(
        torch.randn(30), lambda i: f"t{i}", temperatures=(0.5, 1.0, 2.0), show=6
    )
    assert len(fig.axes) == 3 and fig.axes[0].get_title().startswith("temperature 0.5")
