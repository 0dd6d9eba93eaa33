"""Attribution explorer: pick a photo or a sentence and a method, see what the prediction used.

Photos show the attribution map over the photo in grey (brighter: more
attribution); sentences show their tokens shaded (red: pushes the score up,
blue: pushes it down). Every map is computed before the explorer is built
(:meth:`AttributionExplorer.from_models` or the notebook), so a redraw only
paints and encodes one small picture or writes a line of HTML: a few
milliseconds. Works with ipywidgets 7.7 (Colab) and 8.

Example:
    >>> explorer = AttributionExplorer.demo()
    >>> explorer.example.value = explorer.example.options[-1]  # a sentence
    >>> "<span" in explorer.text.value
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import ipywidgets as widgets
import torch

from ..attribution import integrated_gradients, occlusion, saliency
from ..viz.attribution import overlay_rgb, token_shading_html
from ..viz.encode import encode_pixels
from .base import Explorer

__all__ = ["AttributionExplorer"]

ImageExample = tuple[torch.Tensor, Mapping[str, torch.Tensor]]
TextExample = tuple[Sequence[str], Mapping[str, torch.Tensor]]


class AttributionExplorer(Explorer):
    """Browse precomputed attributions of photos and sentences, method by method.

    Args:
        images: name -> (photo (3, H, W) in [0, 1], {method: map (H, W) or (C, H, W)}).
        sentences: name -> (tokens, {method: one score per token}).
        scale: enlarge photos by this whole factor on screen.
    """

    def __init__(
        self,
        images: Mapping[str, ImageExample],
        sentences: Mapping[str, TextExample],
        scale: int = 2,
    ) -> None:
        if not images and not sentences:
            raise ValueError("AttributionExplorer needs at least one image or sentence")
        methods: list[str] = []
        for name, (_, maps) in [*images.items(), *sentences.items()]:
            if not maps:
                raise ValueError(f"AttributionExplorer: example {name!r} has no maps")
            methods += [m for m in maps if m not in methods]
        for name, (tokens, maps) in sentences.items():
            for method, scores in maps.items():
                if len(scores) != len(tokens):
                    raise ValueError(
                        f"AttributionExplorer: {name!r} has {len(tokens)} tokens but "
                        f"{len(scores)} {method} scores"
                    )
        self.images, self.sentences, self.scale = dict(images), dict(sentences), scale
        self._examples = {f"photo: {n}": ("image", n) for n in images} | {
            f"sentence: {n}": ("text", n) for n in sentences
        }
        self.example = widgets.Dropdown(
            options=list(self._examples), description="example"
        )
        self.method = widgets.Dropdown(options=methods, description="method")
        self.opacity = widgets.FloatSlider(
            value=0.7, min=0.1, max=1.0, step=0.1, description="opacity"
        )
        self.picture = widgets.Image(format="png")
        self.text = widgets.HTML()
        self.on_change(self.example, self.method, self.opacity)
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.example, self.method, self.opacity]),
                # In an HBox the picture keeps its own size (a VBox stretches it).
                widgets.HBox([self.picture]),
                self.text,
            ]
        )
        self.redraw()

    @classmethod
    def from_models(
        cls,
        image_model: Callable[[torch.Tensor], torch.Tensor],
        photos: Mapping[str, tuple[torch.Tensor, torch.Tensor, int]],
        text_model: Callable[[torch.Tensor], torch.Tensor],
        sentences: Mapping[str, tuple[Sequence[str], torch.Tensor, torch.Tensor, int]],
        steps: int = 16,
        window: int = 16,
        stride: int = 8,
    ) -> AttributionExplorer:
        """Compute saliency, integrated gradients and (for photos) occlusion, then build.

        Args:
            image_model: a batch of network inputs (N, 3, H, W) -> scores (N, C).
            photos: name -> (photo (3, H, W) in [0, 1], its network input (3, H, W), class).
            text_model: a batch of token embeddings (N, T, D) -> scores (N, C).
            sentences: name -> (tokens, embeddings (T, D), baseline (T, D), class).
        """
        images = {}
        for name, (photo, x, target) in photos.items():
            x = x[None]
            images[name] = (
                photo,
                {
                    "saliency": saliency(image_model, x, target)[0],
                    "integrated gradients": integrated_gradients(
                        image_model, x, target, steps=steps
                    )[0],
                    "occlusion": occlusion(image_model, x, target, window, stride)[0],
                },
            )
        texts = {}
        for name, (tokens, embeddings, baseline, target) in sentences.items():
            e = embeddings[None]
            texts[name] = (
                tokens,
                {
                    "saliency": saliency(text_model, e, target)[0].sum(-1),
                    "integrated gradients": integrated_gradients(
                        text_model, e, target, baseline=baseline, steps=steps
                    )[0].sum(-1),
                },
            )
        return cls(images, texts)

    @classmethod
    def demo(cls) -> AttributionExplorer:
        """Two photos and two sentences through small untrained models (well under a second)."""
        from torch import nn

        from ..data import load_photo

        torch.manual_seed(0)
        image_model = nn.Sequential(
            nn.Conv2d(3, 8, 5, padding=2),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
            nn.Linear(128, 3),
        ).eval()
        photos = {}
        for name in ("chelsea", "coffee"):
            photo = load_photo(name, size=48, gray=False)
            photos[name] = (photo, photo - 0.5, 0)
        embedding, head = nn.Embedding(50, 8), nn.Linear(8, 2)

        def text_model(e: torch.Tensor) -> torch.Tensor:
            return head(torch.tanh(e).mean(1))

        sentences = {}
        for text in ("the cat sat on the mat", "attention is not explanation"):
            tokens = text.split()
            ids = torch.tensor([sum(map(ord, t)) % 50 for t in tokens])
            vectors = embedding(ids).detach()
            sentences[text] = (tokens, vectors, torch.zeros_like(vectors), 1)
        return cls.from_models(
            image_model, photos, text_model, sentences, window=12, stride=6
        )

    def redraw(self) -> None:
        """Paint the chosen example's map for the chosen method."""
        kind, name = self._examples[self.example.value]
        method = self.method.value
        if kind == "image":
            photo, maps = self.images[name]
            shown = method if method in maps else next(iter(maps))
            pixels = overlay_rgb(photo, maps[shown], self.opacity.value)
            self.picture.value = encode_pixels(pixels, "png", self.scale)
            self.picture.layout.display = None
            self.text.value = f"<b>{name}</b>: {shown}, brighter = more attribution"
        else:
            tokens, maps = self.sentences[name]
            shown = method if method in maps else next(iter(maps))
            self.picture.layout.display = "none"
            note = "" if shown == method else f" ({method} is for photos only)"
            self.text.value = (
                f"<b>{shown}</b>{note}: red pushes the score up, blue down"
                + token_shading_html(tokens, maps[shown], self.opacity.value)
            )
