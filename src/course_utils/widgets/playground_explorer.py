"""A decision-boundary trainer in the spirit of TensorFlow Playground.

Choose a data set, its noise, the network's width, depth and activation, a
regularization and the learning rate; press **step** to train a few steps, or
**play** to keep training. The network is :class:`course_utils.nn.MLP`, whose
backward pass is written by hand, trained by full-batch gradient descent on the
cross-entropy loss.

Play uses an ``ipywidgets.Play`` counter: every tick of its value runs
``steps per tick`` training steps and redraws, in the same thread, so nothing
runs behind the reader's (or a test's) back. Changing the data or the network's
shape starts a new network; changing the learning rate or the regularization
keeps training the current one with the new settings.

Example:
    >>> explorer = PlaygroundExplorer.demo()
    >>> explorer.step_count
    0
    >>> explorer.train(20)
    >>> explorer.step_count, explorer.model.sizes
    (20, [2, 4, 4, 2])
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch

from ..data.toy2d import TOY2D_DATASETS, make_toy2d
from ..nn.functional.loss import cross_entropy
from ..nn.mlp import MLP
from ..viz.decision import decision_grid, decision_rgb
from ..viz.encode import png_bytes
from .base import Explorer

__all__ = ["PlaygroundExplorer"]

PLAYGROUND_ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity")
REGULARIZATIONS = ("none", "L1", "L2")
RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


class PlaygroundExplorer(Explorer):
    """Train a small network on 2-D data and watch its decision boundary move.

    Args:
        dataset: one of :data:`course_utils.data.TOY2D_DATASETS`.
        noise: 0 to 1.
        width, depth: neurons per hidden layer and number of hidden layers.
        activation: ``tanh``, ``relu``, ``sigmoid`` or ``identity``.
        learning_rate: a value from ``LEARNING_RATES``.
        n: training points (and as many test points).
        seed: seed of the data and of the initial weights.
        resolution, scale: the decision picture is ``resolution * scale`` pixels wide.
    """

    extent = 1.3

    def __init__(
        self,
        dataset: str = "circle",
        noise: float = 0.1,
        width: int = 4,
        depth: int = 2,
        activation: str = "tanh",
        learning_rate: float = 0.3,
        n: int = 200,
        seed: int = 0,
        resolution: int = 60,
        scale: int = 4,
    ) -> None:
        _check_arguments(dataset, activation, learning_rate)
        self.n, self.seed, self.resolution, self.scale = n, seed, resolution, scale
        self.grid = decision_grid(self.extent, resolution)
        self._make_controls(dataset, noise, width, depth, activation, learning_rate)
        self.widget = self._layout()
        self.on_change(self.dataset, self.noise, call=self._new_data)
        self.on_change(
            self.width,
            self.depth,
            self.activation,
            self.reset_button,
            call=self._new_network,
        )
        self.on_change(
            self.regularization,
            self.rate,
            self.learning_rate,
            self.steps,
            self.show_test,
        )
        self.on_change(self.play, self.step_button, call=self.tick)
        self._new_data()

    def _make_controls(self, dataset, noise, width, depth, activation, learning_rate):
        def dropdown(options, value, description):
            return widgets.Dropdown(
                options=list(options), value=value, description=description
            )

        self.dataset = dropdown(TOY2D_DATASETS, dataset, "data")
        self.noise = widgets.FloatSlider(
            value=noise, min=0.0, max=1.0, step=0.05, description="noise"
        )
        self.width = widgets.IntSlider(value=width, min=1, max=8, description="width")
        self.depth = widgets.IntSlider(value=depth, min=0, max=4, description="depth")
        self.activation = dropdown(PLAYGROUND_ACTIVATIONS, activation, "activation")
        self.regularization = dropdown(REGULARIZATIONS, "none", "regularization")
        self.rate = dropdown(RATES, 0.001, "reg. rate")
        self.learning_rate = dropdown(LEARNING_RATES, learning_rate, "learning rate")
        self.steps = widgets.IntSlider(
            value=10, min=1, max=20, description="steps per tick"
        )
        self.show_test = widgets.Checkbox(value=False, description="show test points")
        self.play = widgets.Play(
            value=0, min=0, max=1_000_000, step=1, interval=150, description="play"
        )
        self.step_button = widgets.Button(description="step", tooltip="train one tick")
        self.reset_button = widgets.Button(
            description="reset", tooltip="new random weights"
        )
        self.info = widgets.HTML()
        self.view = widgets.Image(format="png")

    def _layout(self) -> widgets.Widget:
        settings = widgets.VBox(
            [
                self.dataset,
                self.noise,
                self.width,
                self.depth,
                self.activation,
                self.regularization,
                self.rate,
                self.learning_rate,
            ]
        )
        training = widgets.VBox(
            [
                widgets.HBox([self.play, self.step_button, self.reset_button]),
                self.steps,
                self.show_test,
                self.view,
                self.info,
            ]
        )
        return widgets.HBox([settings, training])

    @classmethod
    def demo(cls) -> PlaygroundExplorer:
        """A ready explorer on the circle data (nothing is loaded; builds in milliseconds)."""
        return cls(dataset="circle", noise=0.1, width=4, depth=2, seed=0)

    # --- state -------------------------------------------------------------------------------
    def penalties(self) -> tuple[float, float]:
        """(l1, l2) strengths from the regularization controls."""
        kind, rate = self.regularization.value, self.rate.value
        return (rate if kind == "L1" else 0.0, rate if kind == "L2" else 0.0)

    def predict_proba(self, points: torch.Tensor) -> torch.Tensor:
        """The current network's probability of class 1 at (M, 2) points."""
        return self.model.predict_proba(points)[:, 1]

    def losses(self) -> tuple[float, float]:
        """(train loss, test loss) of the current network, cross-entropy without penalty."""
        return (
            float(cross_entropy(self.model(self.X_train), self.y_train)),
            float(cross_entropy(self.model(self.X_test), self.y_test)),
        )

    def accuracies(self) -> tuple[float, float]:
        """(train accuracy, test accuracy) of the current network."""
        return tuple(  # type: ignore[return-value]
            float((self.model(X).argmax(1) == y).float().mean())
            for X, y in ((self.X_train, self.y_train), (self.X_test, self.y_test))
        )

    # --- actions -----------------------------------------------------------------------------
    def train(self, steps: int) -> None:
        """Run ``steps`` gradient-descent steps (no redraw)."""
        l1, l2 = self.penalties()
        for _ in range(steps):
            self.model.train_step(
                self.X_train, self.y_train, self.learning_rate.value, l1=l1, l2=l2
            )
            self.step_count += 1

    def tick(self) -> None:
        """What one press of **step** (or one tick of **play**) does: train, then redraw."""
        self.train(self.steps.value)
        self.redraw()

    def _new_data(self) -> None:
        """New training and test points (a new data set or noise), then a new network."""
        name, noise = self.dataset.value, self.noise.value
        self.X_train, self.y_train = make_toy2d(name, self.n, noise, seed=self.seed)
        self.X_test, self.y_test = make_toy2d(name, self.n, noise, seed=self.seed + 1)
        self._new_network()

    def _new_network(self) -> None:
        """A network of the chosen shape with fresh weights."""
        sizes = [2] + [self.width.value] * self.depth.value + [2]
        self.model = MLP(sizes, activation=self.activation.value, seed=self.seed)
        self.step_count = 0
        self.redraw()

    # --- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Draw the decision boundary with the points, and the losses under it."""
        with torch.no_grad():
            probability = self.predict_proba(self.grid).reshape(
                self.resolution, self.resolution
            )
        probability = torch.nan_to_num(probability, nan=0.5)
        X, y = (
            (self.X_test, self.y_test)
            if self.show_test.value
            else (self.X_train, self.y_train)
        )
        rgb = decision_rgb(
            probability, X, y, self.extent, scale=self.scale, point_size=2
        )
        self.view.value = png_bytes(rgb)
        train_loss, test_loss = self.losses()
        train_accuracy, test_accuracy = self.accuracies()
        if not (math.isfinite(train_loss) and math.isfinite(test_loss)):
            status = "<b>diverged</b>: the loss is not a number. Lower the learning rate and reset."
        else:
            status = (
                f"train loss <b>{train_loss:.3f}</b> (accuracy {train_accuracy:.0%}), "
                f"test loss <b>{test_loss:.3f}</b> (accuracy {test_accuracy:.0%})"
            )
        penalty = self.regularization.value
        if penalty != "none":
            penalty = f"{penalty} (rate {self.rate.value:g})"
        settings = (
            f"each tick: {self.steps.value} steps, learning rate "
            f"{self.learning_rate.value:g}, "
            f"regularization {penalty}"
        )
        self.info.value = (
            f"step <b>{self.step_count}</b>, {self.model.num_parameters()} parameters"
            f"<br>{status}<br>{settings}"
        )


def _check_arguments(dataset: str, activation: str, learning_rate: float) -> None:
    if dataset not in TOY2D_DATASETS:
        raise ValueError(
            f"unknown data set {dataset!r}: expected one of {', '.join(TOY2D_DATASETS)}"
        )
    if activation not in PLAYGROUND_ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}: expected one of {', '.join(PLAYGROUND_ACTIVATIONS)}"
        )
    if learning_rate not in LEARNING_RATES:
        raise ValueError(
            f"learning_rate must be one of {LEARNING_RATES}, got {learning_rate!r}"
        )
