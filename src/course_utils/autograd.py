"""A scalar reverse-mode automatic differentiation engine: the idea of ``torch.autograd`` in a few dozen lines.

Every :class:`Value` remembers the values it was computed from (its *parents*)
and the *local gradients* ``d self / d parent`` of the one operation that made
it. Together they form the computational graph. ``backward()`` visits that graph
from the output back to the inputs in reverse topological order (a node only
after every node that uses it) and applies the chain rule: the gradient
arriving at a node, times each local gradient, is added to that parent's
gradient. Leaves that ``requires_grad`` receive the result in ``.grad``, which
*accumulates* across ``backward`` calls exactly as in PyTorch; :class:`no_grad`
and :meth:`Value.detach` stop recording, as ``torch.no_grad`` and
``Tensor.detach`` do. The foundations chapter writes this engine first and
checks it against ``torch.autograd``; the unit tests do so on random graphs.

Written for this course; Andrej Karpathy's *micrograd* is a well-known engine
in the same spirit.

Example:
    >>> a, b = Value(2.0, requires_grad=True), Value(-3.0, requires_grad=True)
    >>> loss = (a * b + a).tanh()
    >>> loss.backward()
    >>> round(loss.data, 4), round(a.grad, 4), round(b.grad, 4)
    (-0.9993, -0.0027, 0.0027)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._validation import require_number

__all__ = ["Value", "no_grad", "is_grad_enabled"]

_recording = True  # does an operation remember its parents? (False inside no_grad)


class Value:
    """A number that remembers how it was computed, so its gradient can flow back."""

    __slots__ = ("data", "grad", "requires_grad", "op", "_parents", "_local_grads")

    def __init__(self, data: float, requires_grad: bool = False) -> None:
        self.data = require_number("Value", "data", data)
        self.grad: float | None = None  # d output / d self, filled in by backward()
        self.requires_grad = bool(requires_grad)
        self.op = ""  # the operation that produced it; "" for a leaf
        self._parents: tuple[Value, ...] = ()
        self._local_grads: tuple[float, ...] = ()  # d self / d parent, one per parent

    @classmethod
    def from_parents(
        cls,
        data: float,
        parents: Sequence[Value],
        local_grads: Sequence[float],
        op: str = "",
    ) -> Value:
        """The result of an operation: its value, its inputs and ``d result / d input`` for each.

        The graph is recorded only if some input requires a gradient and we are
        not inside :class:`no_grad`; otherwise the result is a plain leaf.
        """
        out = cls(data)
        if _recording and any(p.requires_grad for p in parents):
            out.requires_grad, out.op = True, op
            out._parents, out._local_grads = tuple(parents), tuple(local_grads)
        return out

    # --- the operations: each knows its local gradients ---------------------------------
    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return Value.from_parents(
            self.data + other.data, (self, other), (1.0, 1.0), "+"
        )

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return Value.from_parents(
            self.data * other.data, (self, other), (other.data, self.data), "*"
        )

    def __pow__(self, exponent: float) -> Value:
        k = require_number("Value.__pow__", "exponent", exponent)  # a constant power
        return Value.from_parents(
            self.data**k, (self,), (k * self.data ** (k - 1),), f"**{k:g}"
        )

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value.from_parents(e, (self,), (e,), "exp")

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(
                f"Value.log: the logarithm needs a positive number, got {self.data}"
            )
        return Value.from_parents(math.log(self.data), (self,), (1 / self.data,), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value.from_parents(t, (self,), (1 - t * t,), "tanh")

    def relu(self) -> Value:
        positive = self.data > 0
        return Value.from_parents(
            self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,), "relu"
        )

    # Everything else is built from those.
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-_as_value(other))

    def __truediv__(self, other: Value | float) -> Value:
        return self * _as_value(other) ** -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other) * self**-1

    # --- backpropagation ----------------------------------------------------------------
    def backward(self, gradient: float = 1.0) -> None:
        """Add ``d self / d leaf`` (times ``gradient``) to ``.grad`` of every leaf that requires it."""
        grads = self.gradients(gradient)
        for node in self.topological_order():
            if node.requires_grad and node.is_leaf:  # accumulate, as PyTorch does
                g = grads.get(id(node), 0.0)
                node.grad = g if node.grad is None else node.grad + g

    def gradients(self, gradient: float = 1.0) -> dict[int, float]:
        """``d self / d node`` for every node of the graph that requires grad, by ``id(node)``.

        This is backpropagation; :meth:`backward` stores its results for the leaves.
        """
        if not self.requires_grad:
            raise ValueError(
                "Value.backward: this value does not require grad (no input had "
                "requires_grad=True, or it was computed under no_grad or detached)"
            )
        grads = {id(self): require_number("Value.backward", "gradient", gradient)}
        for node in reversed(self.topological_order()):  # the output first
            # Every use of `node` comes later in the graph and has been visited,
            # so g is the complete d self / d node.
            g = grads.get(id(node), 0.0)
            for parent, local in zip(node._parents, node._local_grads):
                if parent.requires_grad:
                    # Chain rule: d self / d parent += d self / d node * d node / d parent.
                    grads[id(parent)] = grads.get(id(parent), 0.0) + g * local
        return grads

    def topological_order(self) -> list[Value]:
        """Every node this value depends on, each listed after all of its parents."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:  # depth first, without recursion (graphs can be deep)
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._parents if id(p) not in visited)
        return order

    def detach(self) -> Value:
        """The same number, cut from the graph: no gradient flows through it."""
        return Value(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for a value made directly rather than by an operation (like ``Tensor.is_leaf``)."""
        return not self._parents

    def __repr__(self) -> str:
        grad = "" if self.grad is None else f", grad={self.grad:.4g}"
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Value({self.data:.4g}{grad}{flag})"


def _as_value(x: object) -> Value:
    return x if isinstance(x, Value) else Value(x)


class no_grad:
    """Inside ``with no_grad():`` operations record nothing, like ``torch.no_grad``.

    Example:
        >>> w = Value(1.0, requires_grad=True)
        >>> with no_grad():
        ...     y = w * 3
        >>> y.requires_grad, is_grad_enabled()
        (False, True)
    """

    def __enter__(self) -> no_grad:
        global _recording
        self._previous, _recording = _recording, False
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _recording
        _recording = self._previous


def is_grad_enabled() -> bool:
    """False inside :class:`no_grad`, like ``torch.is_grad_enabled``."""
    return _recording
