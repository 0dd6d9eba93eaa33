"""Scale explorer: choose a Transformer's shape and training budget, see what it costs.

Layers, width, heads, key/value heads, vocabulary, context, training tokens,
number format and hardware; the view shows the parameters part by part, the
memory to serve and to train, the training FLOPs and days, and a strip that
places the model among real ones on a log scale. All the arithmetic is
:func:`course_utils.scaling.estimate_scale`; the table is
:func:`course_utils.viz.scale_summary_html`. A redraw moves one marker on a saved
background and re-encodes a small PNG: a few milliseconds.

Works with ipywidgets 7.7 (Colab) and 8.

Example:
    >>> explorer = ScaleExplorer.demo()
    >>> explorer.preset.value = "LLaMA-7B"
    >>> explorer.estimate().parameters.total
    6738415616
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets

from ..data.milestones import MODELS
from ..scaling import (
    ARCHITECTURES,
    BYTES_PER_PARAMETER,
    GPUS,
    ScaleEstimate,
    estimate_scale,
    format_count,
)
from ..viz.encode import BlitFigure
from ..viz.history import scale_summary_html
from .base import Explorer

__all__ = ["ScaleExplorer", "STYLES", "shape_for"]

CUSTOM = "(custom)"

#: Families of decoder or encoder layouts; each fixes the options the sliders do not.
STYLES: dict[str, dict] = {
    "GPT-2 (LayerNorm, learned positions, GELU MLP)": dict(
        mlp="standard", norm="layernorm", positions="learned", bias=True
    ),
    "LLaMA (RMSNorm, rotary, SwiGLU, no biases)": dict(
        mlp="gated", norm="rmsnorm", positions="rotary", bias=False
    ),
    "BERT encoder (post-norm, pooler)": dict(kind="encoder"),
}
GPT_STYLE, LLAMA_STYLE, BERT_STYLE = STYLES

#: Real models named on the explorer's strip (all of them are drawn as ticks).
STRIP_LABELS = ("LeNet-5", "AlexNet", "BERT-large", "GPT-2", "Chinchilla", "GPT-3",
                "DeepSeek-V3")  # fmt: skip

#: Training tokens published for presets (Brown et al. 2020; Touvron et al. 2023).
PRESET_TOKENS = {"GPT-3 175B": 300e9, "LLaMA-7B": 1e12}


def gated_width(d_model: int) -> int:
    """LLaMA's SwiGLU width: 2/3 of 4 d_model, rounded up to a multiple of 256.

    Example:
        >>> gated_width(4096), gated_width(576)
        (11008, 1536)
    """
    return 256 * math.ceil(8 * d_model / 3 / 256)


def shape_for(
    style: str,
    n_layer: int,
    d_model: int,
    n_head: int,
    kv_heads: int,
    vocab_size: int,
    context: int,
    tied: bool,
) -> dict:
    """The :func:`~course_utils.scaling.transformer_parameters` arguments the controls describe.

    ``kv_heads = 0`` means one key/value head per query head (plain multi-head attention).

    Example:
        >>> shape_for(GPT_STYLE, 12, 768, 12, 0, 50257, 1024, True)["d_ff"]
        3072
    """
    if style not in STYLES:
        raise ValueError(
            f"shape_for: unknown style {style!r}, expected one of {list(STYLES)}"
        )
    shape = dict(
        n_layer=n_layer,
        d_model=d_model,
        n_head=n_head,
        vocab_size=vocab_size,
        context=context,
        kv_heads=kv_heads or n_head,
        **STYLES[style],
    )
    if style == LLAMA_STYLE:
        shape["d_ff"] = gated_width(d_model)
    else:
        shape["d_ff"] = 4 * d_model
    if style != BERT_STYLE:
        shape["tied_embeddings"] = tied
    return shape


def _preset_controls(name: str) -> dict:
    """Control values that rebuild one of :data:`~course_utils.scaling.ARCHITECTURES`."""
    shape = ARCHITECTURES[name]
    if shape.get("kind") == "encoder":
        style = BERT_STYLE
    elif shape.get("mlp") == "gated":
        style = LLAMA_STYLE
    else:
        style = GPT_STYLE
    kv = shape.get("kv_heads", shape["n_head"])
    return dict(
        style=style,
        layers=shape["n_layer"],
        width=shape["d_model"],
        heads=shape["n_head"],
        kv_heads=0 if kv == shape["n_head"] else kv,
        vocab=shape["vocab_size"],
        context=shape["context"],
        tied=shape.get("tied_embeddings", True),
    )


class ScaleExplorer(Explorer):
    """A calculator of model size and cost. Display it by putting it last in a cell.

    Args:
        preset: the architecture to start from (a key of
            :data:`~course_utils.scaling.ARCHITECTURES`).
    """

    def __init__(self, preset: str = "GPT-2 small") -> None:
        if preset not in ARCHITECTURES:
            raise ValueError(
                f"ScaleExplorer: unknown preset {preset!r}, expected one of {list(ARCHITECTURES)}"
            )
        self._make_controls(preset)
        self._build_strip()

        self._shape_controls = (
            self.style, self.layers, self.width, self.heads, self.kv_heads,
            self.vocab, self.context, self.tied,
        )  # fmt: skip
        self.on_change(*self._shape_controls, call=self._shape_changed)
        self.on_change(
            self.optimal, self.tokens, self.precision, self.gpu, self.n_gpus,
            self.utilization,
        )  # fmt: skip
        self.on_change(self.preset, call=self._preset_changed)

        self.widget = widgets.HBox(
            [
                widgets.VBox(
                    layout=widgets.Layout(min_width="410px"),
                    children=[
                        self.preset,
                        self.style,
                        self.layers,
                        self.width,
                        self.heads,
                        self.kv_heads,
                        self.vocab,
                        self.context,
                        self.tied,
                        self.optimal,
                        self.tokens,
                        self.precision,
                        self.gpu,
                        self.n_gpus,
                        self.utilization,
                    ],
                ),  # fmt: skip
                widgets.VBox([self.view, self.info]),
            ]
        )
        with self.updating():
            self._apply_preset(preset)

    def _make_controls(self, preset: str) -> None:
        style = {"description_width": "120px"}
        layout = widgets.Layout(width="400px")

        def slider(kind, description, low, high, step, value):
            return kind(min=low, max=high, step=step, value=value,
                        description=description, style=style, layout=layout,
                        continuous_update=False)  # fmt: skip

        def dropdown(description, options, value):
            return widgets.Dropdown(options=list(options), value=value,
                                    description=description, style=style, layout=layout)  # fmt: skip

        def checkbox(description):
            return widgets.Checkbox(value=True, description=description)

        # fmt: off
        self.preset = dropdown("preset", [CUSTOM, *ARCHITECTURES], preset)
        self.style = dropdown("layout", STYLES, GPT_STYLE)
        self.layers = slider(widgets.IntSlider, "layers", 1, 128, 1, 12)
        self.width = slider(widgets.IntSlider, "width d_model", 64, 16384, 64, 768)
        self.heads = slider(widgets.IntSlider, "heads", 1, 128, 1, 12)
        self.kv_heads = slider(widgets.IntSlider, "KV heads (0=all)", 0, 128, 1, 0)
        self.vocab = slider(widgets.IntSlider, "vocabulary", 256, 262144, 1, 50257)
        self.context = slider(widgets.IntSlider, "context", 128, 131072, 128, 1024)
        self.tied = checkbox("tie input and output embeddings")
        self.optimal = checkbox("compute-optimal data (20 tokens/parameter)")
        self.tokens = slider(widgets.FloatLogSlider, "training tokens", 6, 14, 0.1, 1e10)
        self.precision = dropdown("serve in", BYTES_PER_PARAMETER, "bf16")
        self.gpu = dropdown("GPU", GPUS, "H100 SXM")
        self.n_gpus = dropdown("GPUs", [1, 8, 64, 256, 1024, 2048, 4096, 16384], 8)
        self.utilization = slider(widgets.FloatSlider, "utilisation (MFU)", 0.05, 0.8, 0.05, 0.4)
        # fmt: on
        self.info = widgets.HTML()
        self.view = widgets.Image(format="png")

    # --- state -------------------------------------------------------------------------------
    def shape(self) -> dict:
        """The shape the controls describe (arguments of ``transformer_parameters``)."""
        return shape_for(
            self.style.value,
            self.layers.value,
            self.width.value,
            self.heads.value,
            self.kv_heads.value,
            self.vocab.value,
            self.context.value,
            self.tied.value,
        )

    def estimate(self) -> ScaleEstimate:
        """Everything the view shows, from :func:`~course_utils.scaling.estimate_scale`."""
        tokens = None if self.optimal.value else float(self.tokens.value)
        return estimate_scale(
            self.shape(),
            tokens=tokens,
            precision=self.precision.value,
            gpu=self.gpu.value,
            n_gpus=self.n_gpus.value,
            utilization=self.utilization.value,
        )

    def describe(self) -> str:
        """Every setting in two lines, straight from the controls (valid or not)."""
        shape = self.shape()
        d, heads, kv = shape["d_model"], shape["n_head"], shape["kv_heads"]
        head = f"of {d // heads}" if d % heads == 0 else f"(d_model {d} does not split)"
        return (
            f"{shape['n_layer']} layers, d_model {d}, {heads} heads {head}, {kv} KV "
            f"head{'s' if kv > 1 else ''}, d_ff {shape['d_ff']}, vocabulary "
            f"{shape['vocab_size']:,}, context {shape['context']:,}, "
            f"{'tied' if self.tied.value else 'separate'} output embeddings"
            f"{' (an encoder has no output head)' if self.style.value == BERT_STYLE else ''}.\n"
            f"Data: {'20 tokens per parameter' if self.optimal.value else f'{self.tokens.value:.3g} tokens'}; "
            f"served in {self.precision.value}; trained on {self.n_gpus.value:,} x "
            f"{self.gpu.value} at {self.utilization.value:.0%} utilisation."
        )

    def _apply_preset(self, name: str) -> None:
        """Set every shape control (and the data) to preset ``name``; call inside updating()."""
        values = _preset_controls(name)
        for attribute in ("style", "layers", "width", "heads", "kv_heads", "vocab",
                          "context", "tied"):  # fmt: skip
            getattr(self, attribute).value = values[attribute]
        if name in PRESET_TOKENS:
            self.optimal.value = False
            self.tokens.value = PRESET_TOKENS[name]
        else:
            self.optimal.value = True

    def _preset_changed(self) -> None:
        with self.updating():
            if self.preset.value != CUSTOM:
                self._apply_preset(self.preset.value)

    def _shape_changed(self) -> None:
        with self.updating():
            self.preset.value = CUSTOM  # the shape no longer is the preset's

    # --- drawing -----------------------------------------------------------------------------
    def _build_strip(self) -> None:
        """The real models on a log axis, drawn once; a redraw only moves the marker."""
        self.strip = BlitFigure(figsize=(6.2, 1.7), dpi=80)
        self.figure = self.strip.figure
        ax = self.ax = self.figure.add_subplot()
        known = sorted((m for m in MODELS if m.parameters), key=lambda m: m.parameters)
        for m in known:
            ax.plot([m.parameters] * 2, [0, 1], color="0.8", lw=1)
        labelled = [m for m in known if m.name in STRIP_LABELS]
        for index, m in enumerate(labelled):
            ax.plot(
                [m.parameters] * 2, [0, 1.05 + 0.5 * (index % 3)], color="0.55", lw=1
            )
            ax.text(m.parameters, 1.1 + 0.5 * (index % 3), m.name, fontsize=7,
                    ha="center", color="0.3")  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlim(1e3, 3e13)
        ax.set_ylim(0, 2.6)
        ax.set_yticks([])
        ax.set_xlabel("parameters (log scale)", fontsize=8)
        ax.tick_params(labelsize=7)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        self.figure.tight_layout()
        self.strip.store_background()
        (self.marker,) = self.ax.plot(
            [], [], "v", color="#c44e52", ms=11, animated=True
        )
        self.label = self.ax.text(0, 0.25, "", color="#c44e52", fontsize=8, ha="center",
                                  weight="bold", animated=True)  # fmt: skip

    def redraw(self) -> None:
        """Recompute the estimate, rewrite the table and move the marker."""
        name = self.preset.value
        title = "custom shape" if name == CUSTOM else f"preset: {name}"
        self.tokens.disabled = self.optimal.value
        self.tied.disabled = self.style.value == BERT_STYLE
        described = html.escape(self.describe()).replace("\n", "<br>")
        try:
            estimate = self.estimate()
        except ValueError as error:
            self.info.value = (
                f"<p><b>{html.escape(title)}</b></p><p style='color:#c44e52'>"
                f"{html.escape(str(error))}</p><p style='font-size:11px'>{described}</p>"
            )
            self.view.value = self.strip.frame([])  # no marker: the shape is invalid
            return
        self.info.value = (
            scale_summary_html(estimate, title=title)
            + f"<p style='font-size:11px;color:#555'>{described}</p>"
        )
        total = estimate.parameters.total
        self.marker.set_data([total], [0.55])
        self.label.set_position((total, 0.08))
        self.label.set_text(format_count(total))
        self.view.value = self.strip.frame([self.marker, self.label])
