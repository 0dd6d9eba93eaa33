"""Feature-map explorer: pick an image, a layer and a channel of a trained CNN and see what it sees.

Example:
    >>> import torch
    >>> from course_utils.models import LeNet
    >>> explorer = FeatureMapExplorer(LeNet(), torch.rand(3, 1, 28, 28), torch.tensor([0, 1, 2]))
    >>> explorer.layer.value
    'features.0 (Conv2d)'
"""

from __future__ import annotations

import ipywidgets as widgets
import torch
from torch import nn

from .._validation import require_dims
from ..viz.encode import png_bytes
from ..viz.features import feature_maps, tile_channels
from .base import Explorer, titled

__all__ = ["FeatureMapExplorer"]


class FeatureMapExplorer(Explorer):
    """Browse the feature maps of a model with a ``features`` block (such as LeNet).

    Args:
        model: the trained network (kept in eval mode).
        images: (N, C, H, W) images to choose from.
        labels: (N,) true labels, shown with the model's prediction.
        classes: class names; digits by default.
    """

    def __init__(
        self,
        model: nn.Module,
        images: torch.Tensor,
        labels: torch.Tensor,
        classes: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        require_dims(images, 4, "FeatureMapExplorer", "images (N, C, H, W)")
        if len(labels) != len(images):
            raise ValueError(f"got {len(images)} images but {len(labels)} labels")
        self.model = model.eval()
        self.images, self.labels = images, torch.as_tensor(labels)
        with torch.no_grad():
            device = next(model.parameters()).device
            self.probabilities = model(images.to(device)).float().softmax(dim=1).cpu()
        self.classes = classes or [str(i) for i in range(self.probabilities.shape[1])]
        self._maps = feature_maps(model, images[0])

        self.index = widgets.IntSlider(0, 0, len(images) - 1, description="image")
        self.layer = widgets.Dropdown(options=list(self._maps), description="layer")
        self.channel = widgets.IntSlider(0, 0, 0, description="channel")
        self.caption = widgets.HTML()
        self.input_view = widgets.Image(format="png")
        self.channel_view = widgets.Image(format="png")
        self.grid_view = widgets.Image(format="png")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.index, self.layer, self.channel]),
                widgets.HBox(
                    [
                        titled("input", self.input_view, self.caption),
                        titled("selected channel", self.channel_view),
                        titled("all channels of the layer", self.grid_view),
                    ]
                ),
            ]
        )
        # Each control redraws what depends on it: a new image runs the model again.
        self.on_change(self.index)
        self.on_change(self.layer, call=self._draw_layer)
        self.on_change(self.channel, call=self._draw_channel)
        self.redraw()

    @classmethod
    def demo(cls, seed: int = 0) -> FeatureMapExplorer:
        """A LeNet trained for one epoch on 1,000 MNIST digits (about 2 s on a CPU),
        browsing 20 test digits. Used by the tests and benchmarks."""
        from ..data import load_mnist
        from ..models import LeNet
        from ..train import fit

        data = load_mnist(limit=1000, seed=seed)
        torch.manual_seed(seed)
        images = data.X_train
        model = LeNet(mean=float(images.mean()), std=float(images.std()))
        fit(model, (data.X_train, data.y_train), epochs=1, device="cpu", verbose=False)
        return cls(model, data.X_test[:20], data.y_test[:20])

    def current_map(self) -> torch.Tensor:
        """(H', W') feature map of the selected image, layer and channel."""
        return self._maps[self.layer.value][self.channel.value]

    # --- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Run the model on the selected image, then draw the input, the layer and the channel."""
        i = self.index.value
        self._maps = feature_maps(self.model, self.images[i])
        self.input_view.value = png_bytes(self.images[i], scale=4)
        probabilities = self.probabilities[i]
        predicted = int(probabilities.argmax())
        self.caption.value = (
            f"true <b>{self.classes[int(self.labels[i])]}</b>, predicted "
            f"<b>{self.classes[predicted]}</b> ({float(probabilities[predicted]):.0%})"
        )
        self._draw_layer()

    def _draw_layer(self) -> None:
        maps = self._maps[self.layer.value]
        with self.updating(redraw=False):
            self.channel.max = maps.shape[0] - 1  # also clamps the value if larger
        self.grid_view.value = png_bytes(
            tile_channels(maps), scale=max(1, 56 // maps.shape[-1]), cmap="viridis"
        )
        self._draw_channel()

    def _draw_channel(self) -> None:
        feature_map = self.current_map()
        scale = max(1, 112 // feature_map.shape[-1])
        self.channel_view.value = png_bytes(
            feature_map, mode="rescale", scale=scale, cmap="viridis"
        )
