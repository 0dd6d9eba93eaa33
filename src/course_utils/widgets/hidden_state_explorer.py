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
import numpy as np
import torch

from ..data.vocab import CharVocab
from ..models.char_rnn import CharRNN
from ..viz.encode import encode_pixels, to_pixels
from ..viz.recurrent import character_responses
from .base import Explorer, titled

__all__ = ["HiddenStateExplorer"]


HEAT_CMAP = "coolwarm"  # red positive, blue negative


def _colour(value: float) -> str:
    """A CSS background colour for an activation in [-1, 1] (coolwarm colormap)."""
    red, green, blue, _ = matplotlib.colormaps[HEAT_CMAP]((value + 1) / 2)
    return f"rgb({red * 255:.0f},{green * 255:.0f},{blue * 255:.0f})"


class HiddenStateExplorer(Explorer):
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
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.word, self.unit]),
                widgets.HBox(
                    [
                        titled(
                            "the unit on this word", self.text_view, self.response_view
                        ),
                        titled(
                            "all units (rows) over the word (columns)", self.heat_view
                        ),
                    ]
                ),
            ]
        )
        self.on_change(self.word, self.unit)
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
        """Colour the word by the unit, draw every unit's heat map, list the unit's favourites."""
        word, unit = self.word.value, int(self.unit.value)
        states = self.current_states()
        self.text_view.value = _coloured_word(word, states[:, unit].tolist())
        # Every unit (rows) over the word (columns), a marker column pointing at the unit.
        colours = to_pixels((states.T.clamp(-1, 1) + 1) / 2, cmap=HEAT_CMAP)
        marker = np.full((len(colours), 1, 3), 255, dtype=np.uint8)  # white...
        marker[unit] = 0  # ...but black beside the selected unit
        pixels = np.concatenate([marker, colours], axis=1)
        self.heat_view.value = encode_pixels(pixels, "png", scale=10)
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


def _coloured_word(word: str, values: list[float]) -> str:
    """The word with every character on the colour of its activation, values below."""
    spans = "".join(
        f'<span style="background:{_colour(v)};padding:2px 4px;'
        f'font-family:monospace;font-size:20px">{html.escape(ch)}</span>'
        for ch, v in zip(word, values)
    )
    numbers = " ".join(f"{v:+.2f}" for v in values)
    return f"<div>{spans}</div><div><small>{numbers}</small></div>"
