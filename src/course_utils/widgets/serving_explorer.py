"""Serving a real LLM: memory against the GPU, throughput and cost, as you change the setup.

Choose a model, the precision of its weights, the batch, the context and the GPU.
A stacked bar shows the memory of the weights, the KV cache and the activations
against the GPU's memory; below it, the estimated tokens per second, the latency
per token and the cost per million tokens (:func:`course_utils.serving.estimate_serving`).
The bar is plain HTML, so a redraw takes well under a millisecond.

Example:
    >>> explorer = ServingExplorer.demo()
    >>> before = explorer.view.value
    >>> explorer.batch.value = 64
    >>> explorer.view.value != before
    True
"""

from __future__ import annotations

import ipywidgets as widgets

from ..scaling import format_bytes
from ..serving import KNOWN_GPUS, SERVED_MODELS, estimate_serving
from .base import Explorer

__all__ = ["ServingExplorer"]

_COLORS = {"weights": "#1f77b4", "KV cache": "#ff7f0e", "activations": "#2ca02c"}


class ServingExplorer(Explorer):
    """Memory, throughput and cost of serving ``model`` on one GPU."""

    def __init__(
        self,
        model: str = "LLaMA-7B",
        precision: str = "bf16",
        batch: int = 8,
        context: int = 4096,
        gpu: str = "H100 SXM",
    ) -> None:
        self.model = widgets.Dropdown(
            options=list(SERVED_MODELS), value=model, description="model"
        )
        self.precision = widgets.Dropdown(
            options=["fp32", "bf16", "int8", "int4"],
            value=precision,
            description="weights",
        )
        self.batch = widgets.IntSlider(value=batch, min=1, max=256, description="batch")
        self.context = widgets.IntSlider(
            value=context, min=256, max=32768, step=256, description="context"
        )
        self.gpu = widgets.Dropdown(
            options=list(KNOWN_GPUS), value=gpu, description="GPU"
        )
        self.view = widgets.HTML()
        controls = [self.model, self.precision, self.batch, self.context, self.gpu]
        self.widget = widgets.VBox(
            [widgets.HBox(controls[:3]), widgets.HBox(controls[3:]), self.view]
        )
        for control in controls:
            self.on_change(control)
        self.redraw()

    def redraw(self) -> None:
        e = estimate_serving(
            SERVED_MODELS[self.model.value],
            self.precision.value,
            batch=self.batch.value,
            context=self.context.value,
            gpu=self.gpu.value,
        )
        parts = {
            "weights": e.weights,
            "KV cache": e.kv_cache,
            "activations": e.activations,
        }
        scale = max(e.capacity, e.total)
        bars = "".join(
            f'<div title="{name}" style="background:{_COLORS[name]};height:28px;'
            f'width:{100 * value / scale:.2f}%"></div>'
            for name, value in parts.items()
        )
        line = 100 * e.capacity / scale
        legend = " ".join(
            f'<span style="color:{_COLORS[name]}">&#9632;</span> {name} {format_bytes(value)}'
            for name, value in parts.items()
        )
        verdict = "fits" if e.fits else "<b style='color:#d62728'>does not fit</b>"
        self.view.value = (
            f'<div style="position:relative;width:600px;border:1px solid #999;display:flex">{bars}'
            f'<div style="position:absolute;left:{line:.2f}%;top:-4px;height:36px;'
            f'border-left:2px dashed black"></div></div>'
            f"<div>{legend}; GPU memory {format_bytes(e.capacity)} (dashed): {verdict}</div>"
            f"<div>{e.tokens_per_second:,.0f} tokens/s, {e.latency_per_token * 1e3:.1f} ms per token "
            f"per sequence, ${e.cost_per_million:.3f} per million tokens "
            f"(at ${e.price_per_hour:.2f} an hour)</div>"
        )
