"""A multilayer perceptron with a hand-written backward pass (no autograd).

The network is a stack of linear layers with an activation between them:

    h_0 = x,   z_l = h_{l-1} W_l^T + b_l,   h_l = f(z_l),   logits = z_L (no activation)

:func:`~course_utils.nn.functional.linear_backward` is backpropagation through one linear layer; the
``MLP.backward`` method chains it with the activation derivatives from
:mod:`course_utils.nn.functional`. The unit tests check every gradient against
PyTorch's autograd. The class is small on purpose: the Playground explorer trains
it a few steps at a time, in a few milliseconds.

Example:
    >>> import torch
    >>> mlp = MLP([2, 8, 2], activation="tanh", seed=0)
    >>> x, y = torch.randn(16, 2), torch.randint(0, 2, (16,))
    >>> loss = mlp.train_step(x, y, lr=0.1)
    >>> [tuple(g.shape) for g in mlp.gradients()]
    [(8, 2), (8,), (2, 8), (2,)]
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import require_dims, shape_of
from .functional.activation import ACTIVATIONS, activation, activation_derivative
from .functional.linear import linear_backward
from .functional.loss import cross_entropy, cross_entropy_backward

__all__ = ["MLP"]


class MLP:
    """A fully connected network with a hand-written forward and backward pass.

    Args:
        sizes: layer widths from input to output, e.g. ``[2, 8, 8, 2]``.
        activation: a name from :data:`course_utils.nn.functional.ACTIVATIONS`.
        seed: seed of the initial weights (PyTorch's ``nn.Linear`` initialisation:
            uniform in +-1/sqrt(fan_in)).
        dtype: floating-point type of the parameters.
    """

    def __init__(
        self,
        sizes: list[int] | tuple[int, ...],
        activation: str = "tanh",
        seed: int = 0,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2 or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes
        ):
            raise ValueError(
                f"MLP: sizes must be at least two positive ints (input, ..., output), got {sizes!r}"
            )
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}"
            )
        self.sizes, self.activation = sizes, activation
        generator = torch.Generator().manual_seed(seed)
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1 / math.sqrt(fan_in)
            w = (
                torch.rand(fan_out, fan_in, generator=generator, dtype=dtype) * 2 - 1
            ) * bound
            b = (torch.rand(fan_out, generator=generator, dtype=dtype) * 2 - 1) * bound
            self.weights.append(w)
            self.biases.append(b)
        self.grad_weights: list[torch.Tensor] = []
        self.grad_biases: list[torch.Tensor] = []
        self._inputs: list[torch.Tensor] = []  # what each linear layer received
        self._pre_activations: list[torch.Tensor] = []  # z of each hidden layer

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation!r})"

    # ---------------------------------------------------------------- parameters
    def parameters(self) -> list[torch.Tensor]:
        """[W_1, b_1, W_2, b_2, ...], the tensors themselves (not copies)."""
        return [t for pair in zip(self.weights, self.biases) for t in pair]

    def gradients(self) -> list[torch.Tensor]:
        """The gradients from the last :meth:`backward`, in the order of :meth:`parameters`."""
        if not self.grad_weights:
            raise RuntimeError("MLP.gradients: call backward() first")
        return [t for pair in zip(self.grad_weights, self.grad_biases) for t in pair]

    def num_parameters(self) -> int:
        return sum(t.numel() for t in self.parameters())

    def to_torch(self) -> nn.Sequential:
        """The same network as an ``nn.Sequential`` with a copy of the weights (for checks)."""
        torch_activations = {
            "identity": nn.Identity,
            "sigmoid": nn.Sigmoid,
            "tanh": nn.Tanh,
            "relu": nn.ReLU,
            "leaky_relu": nn.LeakyReLU,
            "elu": nn.ELU,
            "softplus": nn.Softplus,
            "gelu": nn.GELU,
        }
        layers: list[nn.Module] = []
        for index, (w, b) in enumerate(zip(self.weights, self.biases)):
            linear = nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
            with torch.no_grad():
                linear.weight.copy_(w)
                linear.bias.copy_(b)
            layers.append(linear)
            if index < len(self.weights) - 1:
                layers.append(torch_activations[self.activation]())
        return nn.Sequential(*layers)

    # ---------------------------------------------------------------- passes
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, sizes[-1]) for inputs (N, sizes[0]); remembers what backward needs."""
        require_dims(x, 2, "MLP.forward", f"inputs of shape (N, {self.sizes[0]})")
        if x.shape[1] != self.sizes[0]:
            raise ValueError(
                f"MLP.forward: expected inputs with {self.sizes[0]} features, got {tuple(x.shape)}"
            )
        self._inputs, self._pre_activations = [], []
        h = x.to(self.weights[0].dtype)
        last = len(self.weights) - 1
        for index, (w, b) in enumerate(zip(self.weights, self.biases)):
            self._inputs.append(h)
            z = h @ w.T + b
            if index == last:
                return z
            self._pre_activations.append(z)
            h = activation(self.activation, z)
        raise AssertionError("unreachable")  # pragma: no cover

    __call__ = forward

    def backward(self, grad_logits: torch.Tensor) -> torch.Tensor:
        """Backpropagate d loss / d logits; fills ``grad_weights`` and ``grad_biases``.

        Returns d loss / d inputs.
        """
        if not self._inputs:
            raise RuntimeError("MLP.backward: call forward() first")
        expected = (self._inputs[0].shape[0], self.sizes[-1])
        if (
            not isinstance(grad_logits, torch.Tensor)
            or tuple(grad_logits.shape) != expected
        ):
            raise ValueError(
                f"MLP.backward: expected grad_logits of shape {expected}, got {shape_of(grad_logits)}"
            )
        grad = grad_logits
        self.grad_weights, self.grad_biases = [], []
        for index in reversed(range(len(self.weights))):
            grad_input, grad_w, grad_b = linear_backward(
                grad, self._inputs[index], self.weights[index]
            )
            self.grad_weights.insert(0, grad_w)
            self.grad_biases.insert(0, grad_b)
            if index > 0:  # through the activation below this layer: chain rule
                z = self._pre_activations[index - 1]
                grad = grad_input * activation_derivative(self.activation, z)
            else:
                grad = grad_input
        return grad

    # ---------------------------------------------------------------- training
    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """The regularization term ``l1 * sum|W| + l2/2 * sum W^2`` over the weights (not biases)."""
        total = 0.0
        for w in self.weights:
            total += l1 * float(w.abs().sum()) + 0.5 * l2 * float((w**2).sum())
        return total

    def step(self, lr: float, l1: float = 0.0, l2: float = 0.0) -> None:
        """One gradient-descent step, adding the gradient of :meth:`penalty` to the weights'."""
        if not self.grad_weights:
            raise RuntimeError("MLP.step: call backward() first")
        for w, gw, b, gb in zip(
            self.weights, self.grad_weights, self.biases, self.grad_biases
        ):
            update = gw
            if l2:
                update = update + l2 * w  # d(l2/2 w^2)/dw
            if l1:
                update = update + l1 * torch.sign(w)  # d(l1 |w|)/dw
            w -= lr * update
            b -= lr * gb

    def train_step(
        self,
        x: torch.Tensor,
        target: torch.Tensor,
        lr: float,
        l1: float = 0.0,
        l2: float = 0.0,
    ) -> float:
        """Forward, cross-entropy loss, backward, step; returns the loss before the step."""
        logits = self.forward(x)
        loss = cross_entropy(logits, target)
        self.backward(cross_entropy_backward(logits, target))
        self.step(lr, l1=l1, l2=l2)
        return float(loss)

    def predict_proba(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities (softmax of the logits)."""
        return torch.softmax(self.forward(x), dim=1)
