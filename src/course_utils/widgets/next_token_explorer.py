"""Next-token explorer: type a prompt, see what a real LLM would write next, and steer it.

The model (SmolLM2-135M-Instruct through the course's from-scratch
:class:`~course_utils.models.llama.Llama`) runs once on the prompt and keeps its
KV cache. The table shows the most likely next tokens: their probability under
the model (grey) and after temperature, top-k and top-p (blue), which is what
sampling would draw from. Moving those sliders only reshapes the stored logits
(:func:`course_utils.viz.next_token.next_token_rows`): no new forward pass.
Clicking a token appends it and runs the model on that one token, reusing the
cache; "sample" draws a token from the blue distribution; "undo" and "reset"
go back without recomputing anything.

Example:
    >>> import torch
    >>> from course_utils.models.llama import Llama, LlamaSettings
    >>> class Letters:  # a stand-in tokenizer: one token per letter
    ...     def encode(self, text): return [ord(c) % 32 for c in text]
    ...     def decode(self, ids, **kw): return "".join(chr(96 + i) for i in ids)
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = Llama(LlamaSettings(32, 16, 32, 1, 2, 1))
    >>> explorer = NextTokenExplorer(model, Letters(), prompt="abc", show=4)
    >>> explorer.tokens[0].click()
    >>> len(explorer.ids), explorer.prompt_length
    (4, 3)
"""

from __future__ import annotations

import html
from collections import OrderedDict

import ipywidgets as widgets
import torch

from ..device import single_cpu_thread
from ..models.generation import next_token_probabilities
from ..models.llama import Llama
from ..viz.next_token import next_token_html, next_token_rows, token_label

__all__ = ["NextTokenExplorer"]

DEFAULT_PROMPT = "The three most important inventions in history are"


class NextTokenExplorer:
    """The next-token distribution of a language model, reshaped live. Display it by putting
    it last in a cell.

    Args:
        model: a from-scratch :class:`Llama`, or a ``transformers`` Llama (converted, the
            weights shared).
        tokenizer: its tokenizer (``encode``/``decode``; ``apply_chat_template`` for the
            chat box).
        prompt: the starting text.
        show: how many candidate tokens to list (each one a button).
        max_tokens: appending stops at this many tokens (prompt included).
        seed: seed of the "sample" button's random generator.
    """

    def __init__(
        self,
        model,
        tokenizer,
        prompt: str = DEFAULT_PROMPT,
        show: int = 8,
        max_tokens: int = 256,
        seed: int = 0,
    ) -> None:
        if not isinstance(model, Llama):
            model = Llama.from_transformers(model)
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.show = show
        self.max_tokens = min(max_tokens, model.config.max_position_embeddings)
        self.generator = torch.Generator().manual_seed(seed)
        self._memo: OrderedDict = OrderedDict()  # prompt ids -> (cache, logits)
        self._busy = False

        self.text = widgets.Text(
            value=prompt,
            description="prompt",
            continuous_update=False,
            layout=widgets.Layout(width="95%"),
        )
        self.chat = widgets.Checkbox(value=False, description="chat template")
        self.temperature = widgets.FloatSlider(
            value=1.0, min=0.0, max=2.0, step=0.05, description="temperature"
        )
        self.top_k = widgets.IntSlider(
            value=0, min=0, max=100, description="top-k (0=off)"
        )
        self.top_p = widgets.FloatSlider(
            value=1.0, min=0.05, max=1.0, step=0.05, description="top-p"
        )
        self.tokens = [
            widgets.Button(layout=widgets.Layout(width="auto")) for _ in range(show)
        ]
        self.sample = widgets.Button(description="sample", button_style="info")
        self.undo = widgets.Button(description="undo")
        self.reset = widgets.Button(description="reset")
        self.text_view = widgets.HTML()
        self.table = widgets.HTML()

        self.text.observe(self._on_prompt, names="value")
        self.chat.observe(self._on_prompt, names="value")
        for control in (self.temperature, self.top_k, self.top_p):
            control.observe(self._on_shape, names="value")
        for index, button in enumerate(self.tokens):
            button.on_click(
                lambda _b, index=index: self._run(self._append, self._shown[index])
            )
        self.sample.on_click(lambda _button: self._run(self._sample))
        self.undo.on_click(lambda _button: self._run(self._undo))
        self.reset.on_click(lambda _button: self._run(self._reset))

        self.widget = widgets.VBox(
            [
                widgets.HBox([self.text, self.chat]),
                widgets.HBox([self.temperature, self.top_k, self.top_p]),
                self.text_view,
                widgets.HTML("<b>click a token to append it:</b>"),
                widgets.HBox(self.tokens, layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.sample, self.undo, self.reset]),
                self.table,
            ]
        )
        self._shown: list[int] = []
        self._run(self._start)

    @classmethod
    def demo(cls, seed: int = 0) -> NextTokenExplorer:
        """SmolLM2-135M-Instruct (loaded offline) on a short English prompt."""
        from ..models.smollm import load_smollm

        model, tokenizer = load_smollm()
        return cls(model, tokenizer, seed=seed)

    # --- the model --------------------------------------------------------------
    def prompt_ids(self) -> list[int]:
        """The prompt's token ids, wrapped in the chat template if the box is ticked."""
        text = self.text.value
        if self.chat.value:
            text = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": text}],
                add_generation_prompt=True,
                tokenize=False,
            )
        return list(self.tokenizer.encode(text))

    def _forward(self, ids: list[int]) -> torch.Tensor:
        with torch.no_grad():
            return self.model(torch.tensor([ids]), self.cache)[0, -1].float()

    def _start(self) -> None:
        """Run the model on the prompt (or reuse a stored run of the same prompt)."""
        ids = self.prompt_ids()[: self.max_tokens - 1] or [0]
        key = tuple(ids)
        if key in self._memo:
            self.cache, logits = self._memo[key]
            self._memo.move_to_end(key)
            self.cache.crop(len(ids))
        else:
            self.cache = self.model.new_cache()
            logits = self._forward(ids)
            self._memo[key] = (self.cache, logits)
            if len(self._memo) > 4:
                self._memo.popitem(last=False)
        self.ids = ids
        self.prompt_length = len(ids)
        self.history = [
            logits
        ]  # logits after the prompt, then after each appended token
        self.redraw()

    @property
    def logits(self) -> torch.Tensor:
        """The next-token logits after the current text."""
        return self.history[-1]

    def probabilities(self) -> torch.Tensor:
        """The distribution sampling would use (temperature, top-k, top-p applied)."""
        return next_token_probabilities(self.logits, *self._settings())

    def _settings(self):
        top_k = self.top_k.value or None
        top_p = self.top_p.value if self.top_p.value < 1 else None
        return self.temperature.value, top_k, top_p

    # --- actions ----------------------------------------------------------------
    def _append(self, token_id: int) -> None:
        if len(self.ids) >= self.max_tokens:
            self.redraw(
                note=f"stopped: {self.max_tokens} tokens is this explorer's limit"
            )
            return
        self.ids = [*self.ids, int(token_id)]
        self.history.append(self._forward([int(token_id)]))
        self.redraw()

    def _sample(self) -> None:
        token = torch.multinomial(self.probabilities(), 1, generator=self.generator)
        self._append(int(token))

    def _undo(self) -> None:
        if len(self.ids) == self.prompt_length:
            self.redraw(note="nothing to undo: this is the prompt")
            return
        self.ids = self.ids[:-1]
        self.history.pop()
        self.cache.crop(len(self.ids))
        self.redraw()

    def _reset(self) -> None:
        if len(self.ids) == self.prompt_length:
            self.redraw(note="already at the prompt")
            return
        self.ids = self.ids[: self.prompt_length]
        self.history = self.history[:1]
        self.cache.crop(self.prompt_length)
        self.redraw()

    # --- drawing ----------------------------------------------------------------
    def redraw(self, note: str = "") -> None:
        """Redraw the text and the table from the stored logits (no forward pass)."""
        temperature, top_k, top_p = self._settings()
        rows = next_token_rows(self.logits, temperature, top_k, top_p, show=self.show)
        self._shown = [row.token_id for row in rows]
        labels = [token_label(self.tokenizer.decode([row.token_id])) for row in rows]
        for button, label, row in zip(self.tokens, labels, rows):
            button.description = f"{label}  {row.sampled:.0%}"
            button.tooltip = f"append token {row.token_id}"
        kept = int((self.probabilities() > 0).sum())
        caption = (
            f"temperature {temperature:g}, top-k {top_k or 'off'}, top-p {top_p or 'off'}: "
            f"{kept:,} of {self.logits.shape[0]:,} tokens can be drawn"
        )
        self.table.value = next_token_html(rows, labels, caption)
        prompt = self.tokenizer.decode(self.ids[: self.prompt_length])
        added = (
            self.tokenizer.decode(self.ids[self.prompt_length :])
            if len(self.ids) > self.prompt_length
            else ""
        )
        self.text_view.value = (
            "<div style='font-family:monospace;white-space:pre-wrap;border:1px solid #ddd;"
            "padding:6px;max-width:760px'>"
            f"{html.escape(prompt)}<span style='background:#cfe3f7'>{html.escape(added)}</span></div>"
            f"<div style='font-size:12px;color:#555'>{len(self.ids)} tokens"
            f"{' — ' + html.escape(note) if note else ''}</div>"
        )

    # --- callbacks --------------------------------------------------------------
    @staticmethod
    def _run(action, *args) -> None:
        # One CPU thread: a single token's work is too small to share, and on a busy
        # machine the threads' synchronization costs more than the work itself.
        with single_cpu_thread("cpu"):
            action(*args)

    def _on_prompt(self, change=None) -> None:
        if not self._busy:
            self._run(self._start)

    def _on_shape(self, change=None) -> None:
        if not self._busy:
            self._run(self.redraw)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
