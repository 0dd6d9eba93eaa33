"""Attention explorer: pick a model and a sentence, a layer, a head and a token; see where it looks.

Models come as attention sources (:mod:`course_utils.models`), so
the same explorer shows the date translator's cross-attention, the tiny GPT's
causal self-attention and MiniLM's self-attention. Three views: the sentence
shaded by the selected token's weights, the full heatmap of one head (hover a
cell to read its weight), and the grid of every layer x head. The model runs
only when the model or the text changes; every other control redraws from the
stored maps in a few milliseconds.

Example:
    >>> from course_utils.data import CharVocab
    >>> from course_utils.models import GPTSource, TinyGPT
    >>> vocab = CharVocab("abc\\n")
    >>> gpt = GPTSource(TinyGPT(len(vocab), 16, 16, 2, 2), vocab, ["abc cab"])
    >>> explorer = AttentionExplorer({"gpt": gpt})
    >>> explorer.maps.weights.shape
    torch.Size([2, 2, 7, 7])
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..viz.attention import attention_table_html, attention_text_html, tile_attention
from ..viz.encode import png_bytes
from .base import Explorer

__all__ = ["AttentionExplorer"]

VIEWS = ("sentence", "heatmap", "grid")
MEAN = "mean of heads"


class AttentionExplorer(Explorer):
    """Browse attention maps of several models. Display it by putting it last in a cell.

    Args:
        sources: name -> attention source (anything with ``examples`` and ``attention(text)``).
    """

    def __init__(self, sources: dict) -> None:
        _check_sources(sources)
        self.sources = dict(sources)
        first = next(iter(self.sources.values()))

        self.model = widgets.Dropdown(options=list(self.sources), description="model")
        self.example = widgets.Dropdown(options=first.examples, description="example")
        self.text = widgets.Text(
            value=first.examples[0], description="text", continuous_update=False
        )
        self.layer = widgets.Dropdown(options=[0], description="layer")
        self.head = widgets.Dropdown(options=[0], description="head")
        self.token = widgets.Dropdown(options=[("", 0)], description="token")
        self.view = widgets.ToggleButtons(options=VIEWS, description="view")
        self.caption = widgets.HTML()
        self.html_view = widgets.HTML()
        self.grid_view = widgets.Image(format="png")
        self.grid_box = widgets.VBox([self.grid_view])
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.model, self.example]),
                self.text,
                widgets.HBox([self.layer, self.head, self.token]),
                self.view,
                self.caption,
                self.html_view,
                self.grid_box,
            ]
        )
        # The model runs only when the model or the text changes.
        self.on_change(self.model, call=self._model_chosen)
        self.on_change(self.example, call=self._example_chosen)
        self.on_change(self.text, call=self._compute)
        self.on_change(self.layer, self.head, self.token, self.view)
        self._compute()

    @classmethod
    def demo(cls, seed: int = 0) -> AttentionExplorer:
        """An explorer over the three models of the chapter, quickly trained with a seed."""
        from ..models.demo import demo_sources

        return cls(demo_sources(seed=seed))

    # --- state ------------------------------------------------------------------
    @property
    def source(self):
        """The attention source of the selected model."""
        return self.sources[self.model.value]

    def current(self):
        """The (Q, K) map shown: the selected layer and head (or the mean of the heads)."""
        weights = self.maps.weights[self.layer.value]
        return weights.mean(0) if self.head.value == MEAN else weights[self.head.value]

    # --- computing and drawing --------------------------------------------------
    def _compute(self) -> None:
        """Run the model on the text, then reset the layer, head and token choices."""
        self.maps = self.source.attention(self.text.value)
        self.caption.value = f"<i>{html.escape(self.maps.caption)}</i>"
        with self.updating():  # three dropdowns change: one redraw
            layer, head = self.layer.value, self.head.value
            self.layer.options = list(range(self.maps.layers))
            self.layer.value = layer if layer in self.layer.options else 0
            heads = [MEAN, *range(self.maps.heads)] if self.maps.heads > 1 else [0]
            self.head.options = heads
            self.head.value = (
                head if head in heads else heads[-1 if len(heads) == 1 else 1]
            )
            self.token.options = [
                (f"{i}: {q}", i) for i, q in enumerate(self.maps.queries)
            ]
            self.token.value = len(self.maps.queries) - 1

    def redraw(self) -> None:
        """Draw the selected view from the stored maps (the model does not run)."""
        view = self.view.value
        self.grid_box.layout.display = "" if view == "grid" else "none"
        weights = self.current()
        i = self.token.value
        if view == "sentence":
            self.html_view.value = attention_text_html(
                weights[i], self.maps.keys, self.maps.queries[i]
            )
        elif view == "heatmap":
            self.html_view.value = attention_table_html(
                weights, self.maps.queries, self.maps.keys, selected=i
            )
        else:
            q, k = weights.shape
            scale = max(1, min(6, 64 // max(q, k)))
            self.grid_view.value = png_bytes(
                tile_attention(self.maps.weights), scale=scale, cmap="Blues"
            )
            self.html_view.value = (
                f"all {self.maps.layers} layers (rows) x {self.maps.heads} heads "
                "(columns); each map: queries down, keys across"
            )

    # --- callbacks --------------------------------------------------------------
    def _model_chosen(self) -> None:
        examples = self.source.examples
        with self.updating(redraw=False):
            self.example.options = examples
            self.example.value = examples[0]
            self.text.value = examples[0]
        self._compute()

    def _example_chosen(self) -> None:
        if self.example.value is None:
            return
        with self.updating(redraw=False):
            self.text.value = self.example.value
        self._compute()


def _check_sources(sources: dict) -> None:
    if not sources:
        raise ValueError("AttentionExplorer needs at least one attention source")
    for name, source in sources.items():
        if not getattr(source, "examples", None) or not callable(
            getattr(source, "attention", None)
        ):
            raise TypeError(
                f"source {name!r} must have a non-empty 'examples' list and an "
                f"'attention(text)' method, got {type(source).__name__}"
            )
