"""Hidden-state explorer: which units of a character model respond to which characters?

Pick a word and a hidden unit. The word is shown with every character coloured by
the unit's activation right after reading it (red positive, blue negative), next to
a heat map of all units over the word and the unit's mean response to each character
over many words. Works with ipywidgets 7.7 (Colab) and 8; redraws in milliseconds
(the states are computed once, pictures are encoded as PNG without matplotlib).

Example:
    >>> explorer = HiddenStateExplorer.demo()
    >>> explorer.unit.value = 3
    >>> explorer.current_states().shape[1] == explorer.model.rnn.hidden_size
    True
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib
import torch

from ..data.vocab import CharVocab
from ..models.char_rnn import CharRNN
from ..viz.images import png_bytes
from ..viz.recurrent import character_responses

__all__ = ["HiddenStateExplorer"]


def _colour(value: float) -> str:
    """A CSS background colour for an activation in [-1, 1] (coolwarm colormap)."""
    red, green, blue, _ = matplotlib.colormaps["coolwarm"]((value + 1) / 2)
    return f"rgb({red * 255:.0f},{green * 255:.0f},{blue * 255:.0f})"


class HiddenStateExplorer:
    """Browse the hidden units of a trained :class:`~course_utils.models.CharRNN`.

    Args:
        model: the character model (its states are read with ``hidden_states``).
        vocab: the vocabulary it was trained with (a :class:`~course_utils.data.CharVocab`
            with a start token, such as the names chapter's boundary ".").
        words: the words to choose from (and to average the responses over).
    """

    def __init__(self, model: CharRNN, vocab: CharVocab, words: list[str]) -> None:
        if not words:
            raise ValueError("HiddenStateExplorer needs at least one word")
        if getattr(vocab, "start_id", None) is None:
            raise ValueError(
                f"HiddenStateExplorer: vocab needs a start token, got {vocab!r}"
            )
        self.model, self.vocab, self.words = model.eval(), vocab, list(words)
        inputs, _ = vocab.batch(self.words)  # start + characters (+ padding)
        device = next(model.parameters()).device
        states = model.hidden_states(inputs.to(device)).float().cpu()
        lengths = [len(w) for w in self.words]
        # Drop the start token at position 0: state t is "after reading character t".
        self._states = [states[i, 1 : n + 1] for i, n in enumerate(lengths)]
        tokens = inputs[:, 1:].clone()
        for i, n in enumerate(lengths):
            tokens[i, n:] = -1  # padding
        self.responses = character_responses(states[:, 1:], tokens, len(vocab))
        hidden_size = states.shape[-1]

        self.word = widgets.Dropdown(options=self.words, description="word")
        self.unit = widgets.IntSlider(0, 0, hidden_size - 1, description="unit")
        self.text_view = widgets.HTML()
        self.heat_view = widgets.Image(format="png")
        self.response_view = widgets.HTML()
        self.word.observe(lambda change: self.redraw(), names="value")
        self.unit.observe(lambda change: self.redraw(), names="value")

        def column(title, *children):
            return widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *children])

        self.widget = widgets.VBox(
            [
                widgets.HBox([self.word, self.unit]),
                widgets.HBox(
                    [
                        column(
                            "the unit on this word", self.text_view, self.response_view
                        ),
                        column(
                            "all units (rows) over the word (columns)", self.heat_view
                        ),
                    ]
                ),
            ]
        )
        self.redraw()

    @classmethod
    def demo(cls) -> HiddenStateExplorer:
        """A small, untrained but seeded model on 40 words (for tests and benchmarks)."""
        words = ["anna", "bob", "clara", "david", "emma", "frank", "grace", "henry"] * 5
        vocab = CharVocab(words, pad=".", start=".", end=".")
        torch.manual_seed(0)
        return cls(CharRNN(len(vocab), hidden_size=32), vocab, words[:8])

    def current_states(self) -> torch.Tensor:
        """(len(word), H) hidden states of the selected word."""
        return self._states[self.words.index(self.word.value)]

    def redraw(self) -> None:
        word, unit = self.word.value, int(self.unit.value)
        states = self.current_states()
        spans = "".join(
            f'<span style="background:{_colour(float(v))};padding:2px 4px;'
            f'font-family:monospace;font-size:20px">{html.escape(ch)}</span>'
            for ch, v in zip(word, states[:, unit].tolist())
        )
        values = " ".join(f"{v:+.2f}" for v in states[:, unit].tolist())
        self.text_view.value = f"<div>{spans}</div><div><small>{values}</small></div>"
        heat = matplotlib.colormaps["coolwarm"](
            ((states.T.clamp(-1, 1) + 1) / 2).numpy()
        )
        heat = torch.from_numpy(heat[..., :3]).float()  # (H, L, 3) colours
        marker = torch.ones(heat.shape[0], 1, 3)  # a column that points at the unit
        marker[unit] = 0.0
        picture = torch.cat([marker, heat], dim=1).permute(2, 0, 1)  # (3, H, L + 1)
        self.heat_view.value = png_bytes(picture, scale=10)
        response = self.responses[unit]
        order = response.argsort(descending=True).tolist()
        chars = self.vocab.itos

        def listing(ids):
            return ", ".join(
                f"<b>{chars[i]}</b> {float(response[i]):+.2f}" for i in ids
            )

        self.response_view.value = (
            f"unit {unit}, mean over {len(self.words)} words:<br>"
            f"strongest after: {listing(order[:5])}<br>"
            f"weakest after: {listing(order[-5:][::-1])}"
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
